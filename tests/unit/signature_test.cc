// The Legacy Factory contract's signatures: the callback's HMAC-SHA256 over timestamp + "." +
// body, the manufacture request's over a prefixed text, and their checks.
#include <optional>
#include <string>
#include <utility>

#include <gtest/gtest.h>

#include "codec/factory_signature.h"
#include "common/crypto.h"

namespace donut::codec {
namespace {

const TimePoint kNow = from_unix_ms(1'764'000'000'000);
constexpr int64_t kNowSeconds = 1'764'000'000;

TEST(Crypto, HmacSha256MatchesRfc4231Case2) {
  // RFC 4231, test case 2.
  const auto mac = crypto::hmac_sha256("Jefe", "what do ya want for nothing?");
  EXPECT_EQ(crypto::to_hex(mac),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(crypto::to_hex(crypto::sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Crypto, Base64MatchesRfc4648Section10) {
  const std::pair<const char*, const char*> vectors[] = {{"", ""},
                                                         {"f", "Zg=="},
                                                         {"fo", "Zm8="},
                                                         {"foo", "Zm9v"},
                                                         {"foob", "Zm9vYg=="},
                                                         {"fooba", "Zm9vYmE="},
                                                         {"foobar", "Zm9vYmFy"}};
  for (const auto& [data, encoded] : vectors) {
    EXPECT_EQ(crypto::base64_encode(data), encoded) << data;
    EXPECT_EQ(crypto::base64_decode(encoded), std::optional<std::string>(data)) << encoded;
  }
  EXPECT_FALSE(crypto::base64_decode("Zm9v!"));
  EXPECT_FALSE(crypto::base64_decode("Zm9"));
}

TEST(CallbackSignature, AcceptsAFreshCorrectSignature) {
  const std::string body = R"({"MessageAttributeProductId":"CP-1"})";
  const auto signature = sign_callback("secret", kNowSeconds, body);
  EXPECT_EQ(signature.rfind("v1=", 0), 0u);
  EXPECT_TRUE(verify_callback("secret", std::to_string(kNowSeconds), signature, body, kNow));
}

TEST(CallbackSignature, RefusesEveryKindOfWrong) {
  const std::string body = "{}";
  const auto ts = std::to_string(kNowSeconds);
  const auto good = sign_callback("secret", kNowSeconds, body);
  auto refused = [&](Status s) { return !s && s.error().code == ErrorCode::unauthorized; };
  EXPECT_TRUE(refused(
      verify_callback("secret", ts, sign_callback("other", kNowSeconds, body), body, kNow)));
  EXPECT_TRUE(refused(verify_callback("secret", ts, good, body + " ", kNow))) << "tampered body";
  EXPECT_TRUE(refused(verify_callback("secret", "", good, body, kNow)));
  EXPECT_TRUE(refused(verify_callback("secret", ts, "", body, kNow)));
  EXPECT_TRUE(refused(verify_callback("secret", "12x", good, body, kNow)));
  EXPECT_TRUE(refused(verify_callback("", ts, good, body, kNow))) << "no secret configured";
  const int64_t old = kNowSeconds - 301;
  EXPECT_TRUE(refused(verify_callback("secret", std::to_string(old),
                                      sign_callback("secret", old, body), body, kNow)))
      << "replayed after the window";
  const int64_t future = kNowSeconds + 301;
  EXPECT_TRUE(refused(verify_callback("secret", std::to_string(future),
                                      sign_callback("secret", future, body), body, kNow)));
}

TEST(ManufactureRequestSignature, AcceptsAFreshCorrectSignatureAndRefusesTheRest) {
  const std::string body = R"({"MessageAttributeRequestId":"r-1"})";
  const auto ts = std::to_string(kNowSeconds);
  const auto good = sign_manufacture_request("secret", kNowSeconds, body);
  EXPECT_EQ(good.rfind("v1=", 0), 0u);
  EXPECT_TRUE(verify_manufacture_request("secret", ts, good, body, kNow));
  auto refused = [&](Status s) { return !s && s.error().code == ErrorCode::unauthorized; };
  EXPECT_TRUE(refused(verify_manufacture_request("guess", ts, good, body, kNow)));
  EXPECT_TRUE(refused(verify_manufacture_request("secret", ts, good, body + " ", kNow)));
  EXPECT_TRUE(refused(verify_manufacture_request("secret", "", good, body, kNow)));
  EXPECT_TRUE(refused(verify_manufacture_request("", ts, good, body, kNow)));
  const int64_t old = kNowSeconds - 301;
  EXPECT_TRUE(refused(verify_manufacture_request(
      "secret", std::to_string(old), sign_manufacture_request("secret", old, body), body, kNow)))
      << "replayed after the window";
}

// A manufacture request and a callback carry the same fields: a capture of one must not pass
// as the other.
TEST(ManufactureRequestSignature, ARequestIsNeverACallbackNorACallbackARequest) {
  const std::string body =
      R"({"MessageAttributeProductId":"CP-1","MessageAttributeProductCnt":5,)"
      R"("MessageAttributeRequestId":"r-1","CallbackUrl":"http://127.0.0.1:8080/v1/stock-arrivals"})";
  const auto ts = std::to_string(kNowSeconds);
  const auto request = sign_manufacture_request("secret", kNowSeconds, body);
  const auto callback = sign_callback("secret", kNowSeconds, body);
  EXPECT_NE(request, callback);
  EXPECT_FALSE(verify_callback("secret", ts, request, body, kNow));
  EXPECT_FALSE(verify_manufacture_request("secret", ts, callback, body, kNow));
}

}  // namespace
}  // namespace donut::codec
