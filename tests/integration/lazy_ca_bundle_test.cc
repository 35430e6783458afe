// The lazy CA bundle (adapters/http/lazy_ca_bundle.h) trusts what `load_verify_file` would:
// certificates from private CAs (made with the openssl command) verified against a bundle of
// the system's public CAs with the private ones among them, by OpenSSL's own X509_verify_cert.
// Only the issuers a chain asks for are decoded; a CA re-keyed under the same name is found by
// its key; a certificate from a CA outside the bundle is refused; other PEM blocks are skipped.
// Where the file is unusual (TRUSTED and X509 CERTIFICATE blocks, a malformed block, a BER
// certificate decoded at attach) the answer is compared with the whole-file load's.
#include "adapters/http/lazy_ca_bundle.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "support/temp_dir.h"

namespace donut {
namespace {

using http_client::LazyCaBundle;

constexpr const char* kSystemBundle = "/etc/ssl/certs/ca-certificates.crt";

class LazyCaBundleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Roots A and B, B re-keyed as B2 under the same name, and C outside the bundle; a leaf from
    // each, naming its issuer's key (authorityKeyIdentifier), as public CAs' certificates do.
    std::ofstream(dir_.file("make.sh")) << R"(set -e
printf 'authorityKeyIdentifier=keyid\n' > leaf.cnf
make() {
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
    -subj "/CN=$2" -keyout "$1.key" -out "$1.pem"
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=leaf-of-$1" \
    -keyout "leaf-$1.key" -out "leaf-$1.csr"
  openssl x509 -req -in "leaf-$1.csr" -CA "$1.pem" -CAkey "$1.key" -CAcreateserial -days 2 \
    -extfile leaf.cnf -out "leaf-$1.pem"
}
make a 'Donut Test Root A'
make b 'Donut Test Root B'
make b2 'Donut Test Root B'
make c 'Donut Test Root C'
)";
    ASSERT_EQ(
        std::system(("cd " + dir_.path().string() + " && bash make.sh > openssl.log 2>&1").c_str()),
        0)
        << "see " << dir_.file("openssl.log");
  }

  std::string text(const std::string& name) const {
    std::ifstream in(dir_.file(name));
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  // The system's public CAs (when the machine has them) with A, B and B2 among them, A last.
  std::string write_bundle(std::size_t& public_cas) {
    std::string bundle = text("b.pem") + text("b2.pem");
    public_cas = 0;
    if (std::filesystem::exists(kSystemBundle)) {
      std::ifstream in(kSystemBundle);
      const std::string system((std::istreambuf_iterator<char>(in)), {});
      for (auto at = system.find("BEGIN CERTIFICATE"); at != std::string::npos;
           at = system.find("BEGIN CERTIFICATE", at + 1)) {
        ++public_cas;
      }
      bundle += system;
    }
    bundle += text("leaf-a.key");  // a block that is not a certificate
    bundle += "# a comment line, as some bundles have\n";
    bundle += text("a.pem");
    std::ofstream(dir_.file("bundle.pem")) << bundle;
    return dir_.file("bundle.pem");
  }

  // X509_verify_cert of `leaf` against a store holding only `bundle`.
  bool verifies(LazyCaBundle& bundle, const std::string& leaf) {
    std::unique_ptr<X509_STORE, decltype(&X509_STORE_free)> store(X509_STORE_new(),
                                                                  X509_STORE_free);
    EXPECT_TRUE(bundle.attach(store.get()));
    return verifies_in(store.get(), leaf);
  }
  bool verifies_in(X509_STORE* store, const std::string& leaf) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_file(dir_.file(leaf).c_str(), "r"),
                                                  BIO_free);
    std::unique_ptr<X509, decltype(&X509_free)> certificate(
        PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr), X509_free);
    EXPECT_TRUE(certificate) << leaf;
    std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> context(X509_STORE_CTX_new(),
                                                                            X509_STORE_CTX_free);
    X509_STORE_CTX_init(context.get(), store, certificate.get(), nullptr);
    X509_STORE_CTX_set_purpose(context.get(), X509_PURPOSE_SSL_SERVER);  // as a TLS client's
    return X509_verify_cert(context.get()) == 1;
  }

  // What the whole-file load (`load_verify_file`) makes of `bundle` for `leaf`; false when it
  // refuses the file.
  bool verifies_eagerly(const std::string& bundle, const std::string& leaf) {
    std::unique_ptr<X509_STORE, decltype(&X509_STORE_free)> store(X509_STORE_new(),
                                                                  X509_STORE_free);
    return X509_STORE_load_file(store.get(), dir_.file(bundle).c_str()) == 1 &&
           verifies_in(store.get(), leaf);
  }
  bool verifies_lazily(const std::string& bundle, const std::string& leaf) {
    auto lazy = LazyCaBundle::read(dir_.file(bundle));
    return lazy && verifies(*lazy.value(), leaf);
  }

  // Runs `command` in the test's folder.
  void shell(const std::string& command) {
    ASSERT_EQ(
        std::system(
            ("cd " + dir_.path().string() + " && (" + command + ") >> openssl.log 2>&1").c_str()),
        0)
        << command;
  }

  // b-ber.pem: B with its tbsCertificate re-encoded in BER's indefinite length (30 80 ... 00 00),
  // which d2i_X509 accepts; its signature is not checked, B being a trust anchor.
  void write_indefinite_b() {
    std::unique_ptr<BIO, decltype(&BIO_free)> in(BIO_new_file(dir_.file("b.pem").c_str(), "r"),
                                                 BIO_free);
    std::unique_ptr<X509, decltype(&X509_free)> b(
        PEM_read_bio_X509(in.get(), nullptr, nullptr, nullptr), X509_free);
    ASSERT_TRUE(b);
    unsigned char* encoded = nullptr;
    const int size = i2d_X509(b.get(), &encoded);
    ASSERT_GT(size, 0);
    const std::string der(reinterpret_cast<const char*>(encoded), static_cast<std::size_t>(size));
    OPENSSL_free(encoded);
    const auto* begin = reinterpret_cast<const unsigned char*>(der.data());
    const unsigned char* p = begin;
    long length = 0;
    int tag = 0, tag_class = 0;
    ASSERT_EQ(ASN1_get_object(&p, &length, &tag, &tag_class, size), V_ASN1_CONSTRUCTED);
    ASSERT_EQ(ASN1_get_object(&p, &length, &tag, &tag_class, size - (p - begin)),
              V_ASN1_CONSTRUCTED);
    const std::string inner = std::string("\x30\x80", 2) +
                              std::string(reinterpret_cast<const char*>(p), length) +
                              std::string(2, '\0') + der.substr((p - begin) + length);
    ASSERT_LT(inner.size(), 0x10000u);
    std::string ber("\x30\x82", 2);
    ber += static_cast<char>(inner.size() >> 8);
    ber += static_cast<char>(inner.size() & 0xff);
    ber += inner;
    std::unique_ptr<BIO, decltype(&BIO_free)> out(BIO_new_file(dir_.file("b-ber.pem").c_str(), "w"),
                                                  BIO_free);
    ASSERT_GT(PEM_write_bio(out.get(), PEM_STRING_X509, "",
                            reinterpret_cast<const unsigned char*>(ber.data()),
                            static_cast<long>(ber.size())),
              0);
  }

  testing::TempDir dir_;
};

TEST_F(LazyCaBundleTest, IndexesEveryCertificateAndDecodesOnlyTheIssuersAChainAsksFor) {
  std::size_t public_cas = 0;
  auto bundle = LazyCaBundle::read(write_bundle(public_cas));
  ASSERT_TRUE(bundle) << bundle.error().message;
  EXPECT_EQ(bundle.value()->size(), public_cas + 3) << "the key block is not a certificate";
  std::unique_ptr<X509_STORE, decltype(&X509_STORE_free)> store(X509_STORE_new(), X509_STORE_free);
  ASSERT_TRUE(bundle.value()->attach(store.get()));
  EXPECT_EQ(bundle.value()->decoded(), 0u) << "nothing decoded before a chain needs it";

  EXPECT_TRUE(verifies_in(store.get(), "leaf-a.pem")) << "A, the last of the bundle";
  EXPECT_EQ(bundle.value()->decoded(), 1u) << "A alone";
  EXPECT_TRUE(verifies_in(store.get(), "leaf-a.pem")) << "again, from the store itself";
  EXPECT_EQ(bundle.value()->decoded(), 1u);

  EXPECT_TRUE(verifies_in(store.get(), "leaf-b2.pem")) << "re-keyed: found by its key";
  EXPECT_TRUE(verifies_in(store.get(), "leaf-b.pem"));
  EXPECT_EQ(bundle.value()->decoded(), 3u) << "A, and both certificates named B";
}

TEST_F(LazyCaBundleTest, ACertificateFromACaOutsideTheBundleIsRefused) {
  std::size_t public_cas = 0;
  auto bundle = LazyCaBundle::read(write_bundle(public_cas));
  ASSERT_TRUE(bundle);
  EXPECT_FALSE(verifies(*bundle.value(), "leaf-c.pem"));
  EXPECT_EQ(bundle.value()->decoded(), 0u);
  EXPECT_FALSE(verifies(*bundle.value(), "c.pem")) << "nor the CA itself, self-signed";
}

// OpenSSL reads "TRUSTED CERTIFICATE" blocks (with their trust settings, a rejection too) and
// the old "X509 CERTIFICATE" ones as certificates of the file.
TEST_F(LazyCaBundleTest, TrustedAndOldStyleBlocksAreReadAsTheWholeFileLoadReadsThem) {
  shell(
      "openssl x509 -in a.pem -trustout -addtrust serverAuth -out a-trusted.pem && "
      "openssl x509 -in a.pem -trustout -addreject serverAuth -out a-rejected.pem && "
      "sed 's/ CERTIFICATE-----/ X509 CERTIFICATE-----/' a.pem > a-old.pem");
  for (const char* block : {"a-trusted.pem", "a-old.pem", "a-rejected.pem"}) {
    SCOPED_TRACE(block);
    std::ofstream(dir_.file("bundle.pem")) << text("b.pem") + text(block);
    const bool trusted = std::string(block) != "a-rejected.pem";
    ASSERT_EQ(verifies_eagerly("bundle.pem", "leaf-a.pem"), trusted) << "the premise";
    EXPECT_EQ(verifies_lazily("bundle.pem", "leaf-a.pem"), trusted);
    EXPECT_TRUE(verifies_lazily("bundle.pem", "leaf-b.pem"));
  }
}

// A block that is not base64 makes OpenSSL refuse the whole file; so does the lazy read, rather
// than trust the certificates before it and silently drop those after.
TEST_F(LazyCaBundleTest, AMalformedBlockRefusesTheFileAsTheWholeFileLoadDoes) {
  std::ofstream(dir_.file("bundle.pem"))
      << text("a.pem") << "-----BEGIN CERTIFICATE-----\n!!not base64!!\n-----END CERTIFICATE-----\n"
      << text("b.pem");
  ASSERT_FALSE(verifies_eagerly("bundle.pem", "leaf-a.pem")) << "the premise";
  const auto bundle = LazyCaBundle::read(dir_.file("bundle.pem"));
  ASSERT_FALSE(bundle) << "read though malformed";
  EXPECT_NE(bundle.error().message.find("bundle.pem"), std::string::npos) << bundle.error().message;
}

// A certificate whose subject cannot be found without decoding it (B, its tbsCertificate in
// BER's indefinite length, which OpenSSL accepts) is decoded at attach; B2, of the same name, must
// still be found, though the store then never asks its lookups for that name again.
TEST_F(LazyCaBundleTest, ACertificateDecodedAtOnceHidesNoneOfItsName) {
  write_indefinite_b();
  std::ofstream(dir_.file("bundle.pem")) << text("b-ber.pem") + text("b2.pem");
  ASSERT_TRUE(verifies_eagerly("bundle.pem", "leaf-b2.pem")) << "the premise";
  ASSERT_TRUE(verifies_eagerly("bundle.pem", "leaf-b.pem")) << "the premise: BER is read";
  EXPECT_TRUE(verifies_lazily("bundle.pem", "leaf-b2.pem"));
  EXPECT_TRUE(verifies_lazily("bundle.pem", "leaf-b.pem"));
}

// One bundle, several stores (the header's promise): each store trusts the whole file, the
// certificates decoded at attach too.
TEST_F(LazyCaBundleTest, EachStoreItIsAttachedToTrustsTheWholeFile) {
  write_indefinite_b();
  std::ofstream(dir_.file("bundle.pem")) << text("a.pem") + text("b-ber.pem");
  auto bundle = LazyCaBundle::read(dir_.file("bundle.pem"));
  ASSERT_TRUE(bundle);
  for (int store = 0; store < 2; ++store) {
    SCOPED_TRACE(store);
    EXPECT_TRUE(verifies(*bundle.value(), "leaf-b.pem"));
    EXPECT_TRUE(verifies(*bundle.value(), "leaf-a.pem"));
  }
}

TEST_F(LazyCaBundleTest, AFileWithoutCertificatesIsAnError) {
  EXPECT_FALSE(LazyCaBundle::read(dir_.file("missing.pem")));
  EXPECT_FALSE(LazyCaBundle::read(dir_.file("leaf-a.key"))) << "a key, no certificate";
  std::ofstream(dir_.file("empty.pem")) << "";
  const auto empty = LazyCaBundle::read(dir_.file("empty.pem"));
  ASSERT_FALSE(empty);
  EXPECT_NE(empty.error().message.find("holds no certificate"), std::string::npos);
}

}  // namespace
}  // namespace donut
