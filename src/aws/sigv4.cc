#include "aws/sigv4.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "common/crypto.h"

namespace donut::sigv4 {
namespace {

bool is_unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '~';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      const int hi = hex_value(text[i + 1]), lo = hex_value(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += text[i];
  }
  return out;
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Trims and collapses runs of whitespace to one space (the spec's Trimall).
std::string trim_all(std::string_view value) {
  std::string out;
  bool pending_space = false;
  for (char c : value) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    out += c;
  }
  return out;
}

std::string hex_sha256(std::string_view data) {
  return crypto::to_hex(crypto::sha256(data));
}

}  // namespace

std::string uri_encode(std::string_view text, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() * 3);
  for (unsigned char c : text) {
    if (is_unreserved(c) || (keep_slash && c == '/')) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0x0F];
    }
  }
  return out;
}

std::string canonical_path(std::string_view path) {
  if (path.empty()) return "/";
  // Remove dot segments and empty segments (RFC 3986 5.2.4, plus collapsing "//").
  std::vector<std::string_view> segments;
  std::size_t start = 0;
  while (start <= path.size()) {
    const auto end = path.find('/', start);
    const auto segment = path.substr(start, end == std::string_view::npos ? end : end - start);
    if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!segment.empty() && segment != ".") {
      segments.push_back(segment);
    }
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  const bool trailing_slash = path.back() == '/' || path.ends_with("/.") || path.ends_with("/..") ||
                              path == "." || path == "..";
  std::string out = "/";
  for (std::size_t i = 0; i < segments.size(); ++i) {
    if (i > 0) out += '/';
    out += uri_encode(segments[i], false);
  }
  if (trailing_slash && !segments.empty()) out += '/';
  return out;
}

std::string canonical_query(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> params;
  std::size_t start = 0;
  while (start < query.size()) {
    auto end = query.find('&', start);
    if (end == std::string_view::npos) end = query.size();
    const auto item = query.substr(start, end - start);
    if (!item.empty()) {
      const auto equals = item.find('=');
      const auto key = item.substr(0, equals);
      const auto value =
          equals == std::string_view::npos ? std::string_view() : item.substr(equals + 1);
      params.emplace_back(uri_encode(percent_decode(key), false),
                          uri_encode(percent_decode(value), false));
    }
    start = end + 1;
  }
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [key, value] : params) {
    if (!out.empty()) out += '&';
    out += key;
    out += '=';
    out += value;
  }
  return out;
}

SignatureParts sign(const HttpRequestToSign& request, const Credentials& credentials,
                    std::string_view region, std::string_view service) {
  std::map<std::string, std::string> headers;  // sorted by lower-case name
  std::string date_time;
  for (const auto& [name, value] : request.headers) {
    auto key = lower(trim_all(name));
    auto clean = trim_all(value);
    if (key == "x-amz-date") date_time = clean;
    auto [it, inserted] = headers.try_emplace(key, clean);
    if (!inserted) it->second += "," + clean;
  }
  if (!credentials.session_token.empty()) {
    // Temporary credentials sign their token too (added by add_signature when sending).
    headers.try_emplace("x-amz-security-token", trim_all(credentials.session_token));
  }
  SignatureParts parts;
  std::string canonical_headers;
  for (const auto& [name, value] : headers) {
    canonical_headers += name + ":" + value + "\n";
    if (!parts.signed_headers.empty()) parts.signed_headers += ';';
    parts.signed_headers += name;
  }
  parts.canonical_request = request.method + "\n" + canonical_path(request.path) + "\n" +
                            canonical_query(request.query) + "\n" + canonical_headers + "\n" +
                            parts.signed_headers + "\n" + hex_sha256(request.body);
  const std::string date = date_time.substr(0, 8);
  const std::string scope = fmt::format("{}/{}/{}/aws4_request", date, region, service);
  parts.string_to_sign =
      "AWS4-HMAC-SHA256\n" + date_time + "\n" + scope + "\n" + hex_sha256(parts.canonical_request);
  const auto k_date = crypto::hmac_sha256("AWS4" + credentials.secret_access_key, date);
  const auto k_region = crypto::hmac_sha256(crypto::as_bytes(k_date), region);
  const auto k_service = crypto::hmac_sha256(crypto::as_bytes(k_region), service);
  const auto k_signing = crypto::hmac_sha256(crypto::as_bytes(k_service), "aws4_request");
  const auto signature =
      crypto::to_hex(crypto::hmac_sha256(crypto::as_bytes(k_signing), parts.string_to_sign));
  parts.authorization =
      fmt::format("AWS4-HMAC-SHA256 Credential={}/{}, SignedHeaders={}, Signature={}",
                  credentials.access_key_id, scope, parts.signed_headers, signature);
  return parts;
}

std::string amz_date(TimePoint t) {
  const UtcTime u = to_utc(t);
  return fmt::format("{:04d}{:02d}{:02d}T{:02d}{:02d}{:02d}Z", u.year, u.month, u.day, u.hour,
                     u.minute, u.second);
}

void add_signature(HttpRequestToSign& request, const Credentials& credentials,
                   std::string_view region, std::string_view service, TimePoint now) {
  request.headers.emplace_back("X-Amz-Date", amz_date(now));
  if (!credentials.session_token.empty()) {
    request.headers.emplace_back("X-Amz-Security-Token", credentials.session_token);
  }
  const auto parts = sign(request, credentials, region, service);
  request.headers.emplace_back("Authorization", parts.authorization);
}

}  // namespace donut::sigv4
