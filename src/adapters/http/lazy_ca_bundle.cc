#include "adapters/http/lazy_ca_bundle.h"

#include <cstring>

#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/pem.h>

namespace donut::http_client {
namespace {

// The subject of a DER certificate without decoding the rest (its public key above all):
// Certificate ::= SEQUENCE { tbsCertificate SEQUENCE { [0] version OPTIONAL, serialNumber,
// signature, issuer, validity, subject, ... } ... } (RFC 5280, 4.1). Null when the DER is not
// laid out so; the caller then decodes the whole certificate. An indefinite length (BER, which
// d2i_X509 accepts) is not walked: its content's length is unknown here, and skipping it would
// take the next field for the subject.
X509_NAME* subject_of(const std::string& der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  long length = 0;
  int tag = 0, tag_class = 0;
  constexpr int kErrorOrIndefinite = 0x80 | 0x01;
  for (int level = 0; level < 2; ++level) {  // into Certificate, then into tbsCertificate
    const long room =
        static_cast<long>(der.size()) - (p - reinterpret_cast<const unsigned char*>(der.data()));
    if ((ASN1_get_object(&p, &length, &tag, &tag_class, room) & kErrorOrIndefinite) != 0 ||
        tag != V_ASN1_SEQUENCE) {
      return nullptr;
    }
  }
  const unsigned char* end = p + length;
  for (int field = 0; p < end;) {  // serialNumber, signature, issuer, validity, subject
    const unsigned char* start = p;
    if ((ASN1_get_object(&p, &length, &tag, &tag_class, end - p) & kErrorOrIndefinite) != 0) {
      return nullptr;
    }
    if (field == 0 && tag_class == V_ASN1_CONTEXT_SPECIFIC && tag == 0) {  // the version
      p += length;
      continue;
    }
    if (field == 4) {
      if (tag != V_ASN1_SEQUENCE) return nullptr;
      const unsigned char* name = start;
      return d2i_X509_NAME(nullptr, &name, (p - start) + length);
    }
    p += length;
    ++field;
  }
  return nullptr;
}

}  // namespace

// A "TRUSTED CERTIFICATE" block is the certificate and its trust settings (a rejection too), read
// as PEM_X509_INFO_read_bio, and so load_verify_file, reads them.
X509* LazyCaBundle::decode(const Entry& entry) {
  const auto* p = reinterpret_cast<const unsigned char*>(entry.der.data());
  const long size = static_cast<long>(entry.der.size());
  return entry.trust_settings ? d2i_X509_AUX(nullptr, &p, size) : d2i_X509(nullptr, &p, size);
}

namespace {

// One method for the process; OpenSSL keeps a pointer to it in every store's lookup.
X509_LOOKUP_METHOD* lookup_method(int (*get_by_subject)(X509_LOOKUP*, X509_LOOKUP_TYPE,
                                                        const X509_NAME*, X509_OBJECT*)) {
  static X509_LOOKUP_METHOD* method = [&] {
    X509_LOOKUP_METHOD* m = X509_LOOKUP_meth_new("donut lazy CA bundle");
    if (m != nullptr) X509_LOOKUP_meth_set_get_by_subject(m, get_by_subject);
    return m;
  }();
  return method;
}

}  // namespace

Result<std::unique_ptr<LazyCaBundle>> LazyCaBundle::read(const std::string& path) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_file(path.c_str(), "r"), BIO_free);
  if (!bio) return make_error(ErrorCode::invalid_argument, "cannot read the CA bundle " + path);
  std::unique_ptr<LazyCaBundle> bundle(new LazyCaBundle());
  char* name = nullptr;
  char* header = nullptr;
  unsigned char* data = nullptr;
  long length = 0;
  ERR_clear_error();
  while (PEM_read_bio(bio.get(), &name, &header, &data, &length) == 1) {
    // The names PEM_X509_INFO_read_bio takes for a certificate.
    const bool trusted = std::strcmp(name, PEM_STRING_X509_TRUSTED) == 0;
    if (trusted || std::strcmp(name, PEM_STRING_X509) == 0 ||
        std::strcmp(name, PEM_STRING_X509_OLD) == 0) {
      Entry entry;
      entry.der.assign(reinterpret_cast<const char*>(data), static_cast<std::size_t>(length));
      entry.trust_settings = trusted;
      entry.subject = subject_of(entry.der);
      bundle->entries_.push_back(std::move(entry));
    }
    OPENSSL_free(name);
    OPENSSL_free(header);
    OPENSSL_free(data);
  }
  // The end of the file reads as "no start line"; anything else (a block that is not base64, a
  // missing end line) makes load_verify_file refuse the whole file, and so it is refused here,
  // not read up to the fault.
  const unsigned long last = ERR_peek_last_error();
  ERR_clear_error();
  if (ERR_GET_LIB(last) != ERR_LIB_PEM || ERR_GET_REASON(last) != PEM_R_NO_START_LINE) {
    return make_error(ErrorCode::invalid_argument, "the CA bundle " + path + " is malformed");
  }
  if (bundle->entries_.empty()) {
    return make_error(ErrorCode::invalid_argument,
                      "the CA bundle " + path + " holds no certificate");
  }
  return bundle;
}

LazyCaBundle::~LazyCaBundle() {
  for (auto& entry : entries_) X509_NAME_free(entry.subject);
}

Status LazyCaBundle::attach(X509_STORE* store) {
  X509_LOOKUP_METHOD* method = lookup_method(&LazyCaBundle::get_by_subject);
  X509_LOOKUP* lookup = method == nullptr ? nullptr : X509_STORE_add_lookup(store, method);
  // A store keeps one lookup per method: a second bundle would take the first one's place.
  void* attached = lookup == nullptr ? nullptr : X509_LOOKUP_get_method_data(lookup);
  if (lookup == nullptr || (attached != nullptr && attached != this) ||
      X509_LOOKUP_set_method_data(lookup, this) != 1) {
    return make_error(ErrorCode::internal, "cannot add the CA bundle's lookup to the store");
  }
  // What could not be indexed by its subject is trusted the usual way, decoded now, in each store
  // attached. The store asks its lookups only for a name it holds no certificate of, so the
  // indexed certificates of that one's name would never be asked for: they are added with it.
  std::lock_guard lock(mutex_);
  for (auto& entry : entries_) {
    if (entry.subject != nullptr) continue;
    entry.decoded = true;
    if (X509* certificate = decode(entry)) {
      X509_STORE_add_cert(store, certificate);
      add_indexed_of(store, X509_get_subject_name(certificate));
      X509_free(certificate);
    }
  }
  ERR_clear_error();
  return ok();
}

std::size_t LazyCaBundle::decoded() const {
  std::lock_guard lock(mutex_);
  std::size_t count = 0;
  for (const auto& entry : entries_) count += entry.decoded ? 1 : 0;
  return count;
}

int LazyCaBundle::get_by_subject(X509_LOOKUP* lookup, X509_LOOKUP_TYPE type, const X509_NAME* name,
                                 X509_OBJECT* found) {
  if (type != X509_LU_X509 || name == nullptr) return 0;  // no CRLs in a bundle of CAs
  auto* bundle = static_cast<LazyCaBundle*>(X509_LOOKUP_get_method_data(lookup));
  X509_STORE* store = X509_LOOKUP_get_store(lookup);
  if (bundle == nullptr || store == nullptr) return 0;
  return bundle->add_certificates_of(store, name, found) ? 1 : 0;
}

// Every certificate of the subject goes into the store (a CA re-keyed or cross-signed has
// several), which then finds them itself. `found` borrows the store's own object, as OpenSSL's
// hashed-directory lookup does: the caller takes its own reference, so a reference given here
// would never be released.
bool LazyCaBundle::add_certificates_of(X509_STORE* store, const X509_NAME* name,
                                       X509_OBJECT* found) {
  std::lock_guard lock(mutex_);
  const bool added = add_indexed_of(store, name);
  ERR_clear_error();
  if (!added || X509_STORE_lock(store) != 1) return false;
  X509_OBJECT* held =
      X509_OBJECT_retrieve_by_subject(X509_STORE_get0_objects(store), X509_LU_X509, name);
  X509* borrowed = held == nullptr ? nullptr : X509_OBJECT_get0_X509(held);
  const bool set = borrowed != nullptr && X509_OBJECT_set1_X509(found, borrowed) == 1;
  if (set) X509_free(borrowed);  // the store's reference keeps it; `found` only points at it
  X509_STORE_unlock(store);
  return set;
}

bool LazyCaBundle::add_indexed_of(X509_STORE* store, const X509_NAME* name) {
  bool added = false;
  for (auto& entry : entries_) {
    if (entry.subject == nullptr || X509_NAME_cmp(entry.subject, name) != 0) continue;
    X509* certificate = decode(entry);
    entry.decoded = true;
    if (certificate == nullptr) continue;
    added = X509_STORE_add_cert(store, certificate) == 1 || added;  // a duplicate is kept once
    X509_free(certificate);
  }
  return added;
}

}  // namespace donut::http_client
