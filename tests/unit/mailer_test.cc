// The file mailer: one .eml per e-mail id, atomic, repeat-safe, no header injection.
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "adapters/clock/clocks.h"
#include "adapters/mail/file_mailer.h"
#include "support/temp_dir.h"

namespace donut::mail {
namespace {

std::string read(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(FileMailer, WritesOneFilePerIdAndRepeatsAreHarmless) {
  testing::TempDir dir;
  clock::ManualClock clock;
  FileMailer mailer(dir.path() / "mail", clock);
  ports::Email email{
      "event-1", "shop@example.com", {"ops@example.com"}, "Out of stock", "line 1\nline 2\n"};
  ASSERT_TRUE(mailer.send(email));
  ASSERT_TRUE(mailer.send(email));
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path() / "mail"))
    files.push_back(entry.path());
  ASSERT_EQ(files.size(), 1u) << "no temporary files left, one e-mail";
  const auto text = read(files[0]);
  EXPECT_NE(text.find("Subject: Out of stock\r\n"), std::string::npos);
  EXPECT_NE(text.find("To: ops@example.com\r\n"), std::string::npos);
  EXPECT_NE(text.find("line 1\r\nline 2\r\n"), std::string::npos);
}

TEST(FileMailer, RefusesUnsafeIdsAndNeutralisesHeaderInjection) {
  testing::TempDir dir;
  clock::ManualClock clock;
  FileMailer mailer(dir.path(), clock);
  ports::Email bad{"../escape", "a@b", {"c@d"}, "s", "t"};
  EXPECT_EQ(mailer.send(bad).error().code, ErrorCode::invalid_argument);
  ports::Email sneaky{"ok", "a@b", {"c@d"}, "hi\r\nBcc: victim@example.com", "t"};
  const auto text = render_eml(sneaky, clock.now());
  EXPECT_EQ(text.find("\r\nBcc:"), std::string::npos);
}

}  // namespace
}  // namespace donut::mail
