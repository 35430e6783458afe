// Secret files and the data folder (common/private_files.h): the owner's alone from creation,
// whatever the umask, and never an existing file or a symlink someone planted.
#include "common/private_files.h"

#include <filesystem>
#include <fstream>
#include <sys/stat.h>

#include <gtest/gtest.h>

#include "support/temp_dir.h"

namespace donut {
namespace {

unsigned mode_of(const std::filesystem::path& path) {
  struct stat st {};
  ::stat(path.c_str(), &st);
  return st.st_mode & 07777;
}

// The widest umask: whatever mode a file gets is the one the code asked for.
class PrivateFiles : public ::testing::Test {
 protected:
  void SetUp() override { previous_ = ::umask(0); }
  void TearDown() override { ::umask(previous_); }
  testing::TempDir dir_;
  mode_t previous_ = 0;
};

TEST_F(PrivateFiles, ASecretFileIsTheOwnersAloneFromItsCreation) {
  const auto path = dir_.path() / "admin-token";
  ASSERT_TRUE(create_private_file(path.string(), "s3cret\n"));
  EXPECT_EQ(mode_of(path), 0600u);
  EXPECT_EQ(testing::read_file(path), "s3cret\n");
}

TEST_F(PrivateFiles, NeverAnExistingFileNorAPlantedSymlink) {
  const auto existing = dir_.path() / "existing";
  std::ofstream(existing) << "someone else's";
  EXPECT_FALSE(create_private_file(existing.string(), "s3cret"));
  EXPECT_EQ(testing::read_file(existing), "someone else's");

  const auto target = dir_.path() / "readable-by-the-attacker";
  const auto planted = dir_.path() / "callback-secret.tmp";
  std::filesystem::create_symlink(target, planted);
  EXPECT_FALSE(create_private_file(planted.string(), "s3cret"));
  EXPECT_FALSE(std::filesystem::exists(target)) << "the secret did not follow the link";
}

TEST_F(PrivateFiles, TheDataFolderIsCreatedForItsOwnerOnly) {
  const auto folder = dir_.path() / "a" / "data";
  ASSERT_TRUE(create_private_directory(folder.string()));
  EXPECT_EQ(mode_of(folder), 0700u);
  EXPECT_FALSE(others_may_enter(folder.string()));
  ASSERT_TRUE(create_private_directory(folder.string())) << "an existing folder is fine";

  const auto shared = dir_.path() / "shared";
  std::filesystem::create_directory(shared);
  std::filesystem::permissions(shared, std::filesystem::perms(0755));
  ASSERT_TRUE(create_private_directory(shared.string()));
  EXPECT_EQ(mode_of(shared), 0755u) << "an existing folder keeps its mode";
  EXPECT_TRUE(others_may_enter(shared.string())) << "and the caller is told, to warn";
  std::ofstream(dir_.path() / "file") << "x";
  EXPECT_FALSE(create_private_directory((dir_.path() / "file").string()));
}

}  // namespace
}  // namespace donut
