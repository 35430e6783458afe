// The file mailer: one .eml per e-mail id, atomic, repeat-safe, no header injection; the
// rendering both mailers share; the SMTP mailer's checks that need no server.

#include <gtest/gtest.h>

#include "adapters/clock/clocks.h"
#include "adapters/mail/file_mailer.h"
#include "adapters/mail/smtp_mailer.h"
#include "common/crypto.h"
#include "support/temp_dir.h"

namespace donut::mail {
namespace {

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
  const auto text = testing::read_file(files[0]);
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

// Decodes the RFC 2047 encoded words of a header value back to UTF-8.
std::string decode_words(std::string_view value) {
  std::string out;
  for (auto start = value.find("=?UTF-8?B?"); start != std::string_view::npos;
       start = value.find("=?UTF-8?B?", start)) {
    start += 10;
    const auto end = value.find("?=", start);
    out += crypto::base64_decode(value.substr(start, end - start)).value_or("<not base64>");
    start = end + 2;
  }
  return out;
}

TEST(RenderEml, SubjectsOutsideAsciiBecomeEncodedWordsOfWholeCharacters) {
  clock::ManualClock clock;
  std::string subject;
  for (int i = 0; i < 12; ++i) subject += "Crème brûlée ✓ ";  // long enough for several words
  const auto text = render_eml({"id", "a@b", {"c@d"}, subject, "t"}, clock.now());
  const auto begin = text.find("Subject: ") + 9;
  const auto value = std::string_view(text).substr(begin, text.find("\r\nDate:") - begin);
  EXPECT_EQ(decode_words(value), subject);
  std::size_t words = 0;
  for (std::size_t from = 0, line_end = 0; from < value.size(); from = line_end + 3, ++words) {
    line_end = std::min(value.find("\r\n ", from), value.size());
    EXPECT_LE(line_end - from, 75u) << "RFC 2047: an encoded word is at most 75 characters";
  }
  EXPECT_GT(words, 1u);
  for (unsigned char c : value) EXPECT_LT(c, 0x80) << "header text is ASCII";

  const auto plain = render_eml({"id", "a@b", {"c@d"}, "Plain subject", "t"}, clock.now());
  EXPECT_NE(plain.find("Subject: Plain subject\r\n"), std::string::npos);
}

TEST(SmtpMailer, EnvelopeAddressesAreOnePlainAddress) {
  EXPECT_EQ(*envelope_address("shop@example.com"), "<shop@example.com>");
  EXPECT_EQ(*envelope_address("Donut-States <shop@example.com>"), "<shop@example.com>");
  EXPECT_EQ(*envelope_address("  ops@example.com "), "<ops@example.com>");
  for (const char* bad :
       {"", "shop", "@example.com", "shop@", "a@b@c", "a b@c", "<a@b", "Shop <a@b> extra",
        "a@b>\r\nRCPT TO:<victim@example.com", "a@b>\r\nRCPT TO:<victim@example.com>", "a@b,c@d"}) {
    auto address = envelope_address(bad);
    EXPECT_FALSE(address) << bad;
    if (!address) {
      EXPECT_EQ(address.error().code, ErrorCode::invalid_argument) << bad;
    }
  }
}

TEST(SmtpMailer, RefusesSettingsThatWouldLeakOrContradict) {
  clock::ManualClock clock;
  auto refused = [&](SmtpSettings settings) {
    auto mailer = SmtpMailer::create(std::move(settings), clock);
    return !mailer && mailer.error().code == ErrorCode::invalid_argument;
  };
  SmtpSettings s;
  EXPECT_TRUE(SmtpMailer::create(s, clock)) << "the defaults are usable";
  s.url = "http://mail.example.com";
  EXPECT_TRUE(refused(s)) << "not SMTP";
  s.url = "smtp://user:secret@mail.example.com";
  EXPECT_TRUE(refused(s)) << "credentials in the URL would show wherever the URL does";
  s.url = "smtps://mail.example.com";
  s.tls = SmtpSettings::Tls::none;
  EXPECT_TRUE(refused(s)) << "smtps is TLS";
  s.url = "smtp://mail.example.com:587";
  s.username = "donut";
  s.password = "secret";
  EXPECT_TRUE(refused(s)) << "a password over plain text";
  s.tls = SmtpSettings::Tls::starttls;
  EXPECT_TRUE(SmtpMailer::create(s, clock));
  EXPECT_FALSE(parse_smtp_tls("ssl"));
}

TEST(SmtpMailer, AnEmailWithoutRecipientsOrWithABadAddressIsRefusedBeforeConnecting) {
  clock::ManualClock clock;
  SmtpSettings s;
  s.url = "smtp://192.0.2.1:25";  // TEST-NET: connecting would hang until the timeout
  auto mailer = *SmtpMailer::create(s, clock);
  EXPECT_EQ(mailer->send({"id", "a@b", {}, "s", "t"}).error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(mailer->send({"id", "a@b", {"not an address"}, "s", "t"}).error().code,
            ErrorCode::invalid_argument);
  EXPECT_EQ(mailer->send({"id", "", {"c@d"}, "s", "t"}).error().code, ErrorCode::invalid_argument);
}

}  // namespace
}  // namespace donut::mail
