// `donut db backup` writes a whole warehouse (orders, idempotency keys, queued messages) to a
// file of the operator's choosing, outside the data folder: the copy is the owner's alone, as
// the data folder is, whatever the umask.
#include <string>
#include <sys/stat.h>

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "adapters/sqlite/backup.h"
#include "support/temp_dir.h"

namespace donut {
namespace {

TEST(SqliteBackup, TheCopyIsTheOwnersAloneWhateverTheUmask) {
  testing::TempDir dir;
  const std::string source = (dir.path() / "warehouse.db").string();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(source.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(
      sqlite3_exec(db, "CREATE TABLE t (x); INSERT INTO t VALUES (1);", nullptr, nullptr, nullptr),
      SQLITE_OK);
  sqlite3_close(db);

  const mode_t old_umask = ::umask(022);
  const std::string copy = (dir.path() / "backup.db").string();
  auto report = sqlite::copy_database(source, copy);
  ::umask(old_umask);
  ASSERT_TRUE(report) << report.error().message;
  struct stat st {};
  ASSERT_EQ(::stat(copy.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

}  // namespace
}  // namespace donut
