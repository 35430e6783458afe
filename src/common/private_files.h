// The data folder and the secret files in it belong to the user who runs the shop, from the
// moment they exist.
//
// `create_private_directory` creates a folder (and any missing parents) with mode 0700 for the
// folder itself; a folder that already exists keeps its mode (`others_may_enter` says whether
// group or other users can reach inside, for the caller to warn). `create_private_file` makes a
// new file with mode 0600 in the open() call itself — O_CREAT|O_EXCL|O_NOFOLLOW, so never an
// existing file nor a symlink someone planted — writes the content and syncs it: there is no
// moment at which another user could open it, as there is with create-then-chmod. Errors are
// `unavailable` values naming the path. `read_secret_file` is the one way a secret handed over
// as a file (a --*-file flag, DONUT_<NAME>_FILE, a compose or Kubernetes secret) is read: the
// whole file less one trailing newline; an unreadable or empty file is `invalid_argument` (a
// setting to fix, not an outage). Thread-safe (no shared state).
#pragma once

#include <string>
#include <string_view>

#include "common/error.h"

namespace donut {

Status create_private_directory(const std::string& path);
bool others_may_enter(const std::string& path);
Status create_private_file(const std::string& path, std::string_view content);
Result<std::string> read_secret_file(const std::string& path);

}  // namespace donut
