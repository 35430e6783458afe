// The lazy CA bundle (adapters/http/lazy_ca_bundle.h) trusts what `load_verify_file` would:
// certificates from private CAs (made with the openssl command) verified against a bundle of
// the system's public CAs with the private ones among them, by OpenSSL's own X509_verify_cert.
// Only the issuers a chain asks for are decoded; a CA re-keyed under the same name is found by
// its key; a certificate from a CA outside the bundle is refused; other PEM blocks are skipped.
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
    return X509_verify_cert(context.get()) == 1;
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
