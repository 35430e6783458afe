// Secrets as files. For each secret setting, DONUT_<NAME>_FILE may name a file holding its value:
// the way container platforms hand secrets over (compose secrets and Kubernetes Secrets are
// mounted as files), so that no secret sits in an environment variable, a flag or an image.
// The file is read before the command line is parsed and stands in for DONUT_<NAME>; one
// trailing newline is dropped (common/private_files.h, read_secret_file, which the
// --admin-token-file and --callback-secret-file flags read with too). A flag still wins over
// it, as over any environment value.
//
// The secret settings: DONUT_DATABASE and DONUT_BROKER (their URLs carry passwords),
// DONUT_CALLBACK_SECRET, DONUT_ADMIN_TOKEN, DONUT_SMTP_PASSWORD.
// Errors (`invalid_argument`): a file that cannot be read or is empty; both DONUT_<NAME> and
// DONUT_<NAME>_FILE set.
#pragma once

#include "common/error.h"

namespace donut::cli {

Status load_secret_files();

}  // namespace donut::cli
