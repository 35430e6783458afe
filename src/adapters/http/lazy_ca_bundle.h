// A CA bundle for a TLS client's certificate store, read once and decoded only where a chain
// needs it. OpenSSL 3.0 takes about 0.14 ms of CPU to decode one certificate, its public key
// most of it, so loading a system bundle of 150 (al2023's, Debian's) costs 20 ms on the first
// HTTPS call: most of a Lambda function's cold start. This reads the file, keeps each
// certificate's DER and its subject (the names only: about 2 ms for 150), and adds a lookup to
// the store that decodes the certificates of a subject when verification asks for that issuer:
// one or two per process. What OpenSSL's hashed CA directory (`c_rehash`) does with one file per
// certificate, for the one-file bundles that Amazon Linux and Debian ship.
//
// Promises: the store trusts exactly the certificates of the file, as `load_verify_file` would;
// a block whose subject cannot be found without decoding it is decoded at once and added, so
// nothing of the file is left out, and the certificates of its name come with it; blocks are
// read as PEM_X509_INFO_read_bio reads them (CERTIFICATE, X509 CERTIFICATE, and TRUSTED
// CERTIFICATE with its trust settings; other blocks skipped; a malformed one refuses the file,
// a certificate that does not decode is left out). The lookup is safe
// from several threads (one mutex, held only while a subject's certificates are decoded). The
// bundle must outlive every store it is attached to.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <openssl/x509.h>

#include "common/error.h"

namespace donut::http_client {

class LazyCaBundle {
 public:
  // `invalid_argument` when the file cannot be read or holds no certificate.
  static Result<std::unique_ptr<LazyCaBundle>> read(const std::string& path);
  ~LazyCaBundle();
  LazyCaBundle(const LazyCaBundle&) = delete;
  LazyCaBundle& operator=(const LazyCaBundle&) = delete;

  // Makes `store` find this bundle's certificates by subject.
  Status attach(X509_STORE* store);

  std::size_t size() const { return entries_.size(); }  // certificates in the file
  std::size_t decoded() const;                          // of them, decoded so far

 private:
  struct Entry {
    X509_NAME* subject = nullptr;  // owned; null when it cannot be found without decoding
    std::string der;
    bool trust_settings = false;  // a TRUSTED CERTIFICATE block: DER and X509_CERT_AUX
    bool decoded = false;
  };
  LazyCaBundle() = default;
  static X509* decode(const Entry& entry);
  static int get_by_subject(X509_LOOKUP* lookup, X509_LOOKUP_TYPE type, const X509_NAME* name,
                            X509_OBJECT* found);
  bool add_certificates_of(X509_STORE* store, const X509_NAME* name, X509_OBJECT* found);
  // The indexed certificates named `name` into `store`, `mutex_` held; true when one is there.
  bool add_indexed_of(X509_STORE* store, const X509_NAME* name);

  std::vector<Entry> entries_;
  mutable std::mutex mutex_;
};

}  // namespace donut::http_client
