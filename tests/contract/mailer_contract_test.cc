// The mailer port's contract (ports/mailer.h), the same test list on every engine. The fixture
// and each engine's reader of what was delivered are in mailer_contract.h.
#include "contract/mailer_contract.h"

namespace donut {
namespace {

TEST_P(MailerContract, DeliversTheSenderRecipientsSubjectAndTextIntact) {
  const ports::Email sent = email();
  ASSERT_TRUE(mailer_->send(sent));
  auto got = delivered(1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].from, sent.from);
  EXPECT_EQ(got[0].to, sent.to);
  EXPECT_EQ(got[0].subject, sent.subject);
  EXPECT_EQ(got[0].text, "Line one\n.a line that starts with a dot\nLine three ✓")
      << "a leading dot and UTF-8 travel unchanged";
}

TEST_P(MailerContract, ARepeatedSendOfOneEmailIsAccepted) {
  ASSERT_TRUE(mailer_->send(email()));
  ASSERT_TRUE(mailer_->send(email())) << "a redelivered notification is sent again, not refused";
  const std::size_t expected = GetParam().repeats_suppressed ? 1 : 2;
  EXPECT_EQ(delivered(expected).size(), expected);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(GetParam().delivered(dir_, marker_).size(), expected) << "and no more arrive";
}

TEST_P(MailerContract, AnEmailWithoutRecipientsOrSenderIsRefusedAndNothingIsSent) {
  ports::Email nobody = email();
  nobody.to.clear();
  ports::Email anonymous = email();
  anonymous.from.clear();
  for (const auto& unaddressed : {nobody, anonymous}) {
    auto sent = mailer_->send(unaddressed);
    ASSERT_FALSE(sent);
    EXPECT_EQ(sent.error().code, ErrorCode::invalid_argument) << sent.error().message;
  }
  EXPECT_TRUE(GetParam().delivered(dir_, marker_).empty());
}

}  // namespace
}  // namespace donut
