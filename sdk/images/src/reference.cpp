#include "ukube/images/reference.h"

#include <algorithm>
#include <cctype>

namespace ukube::images {
namespace {

constexpr std::string_view kDockerHub = "docker.io";
constexpr std::string_view kOfficialNamespace = "library/";

bool is_lower_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool is_hex(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// One path component: lowercase alphanumerics joined by ".", "_", "__" or runs of "-".
bool valid_component(std::string_view c) {
  if (c.empty() || !is_lower_alnum(c.front()) || !is_lower_alnum(c.back())) return false;
  for (size_t i = 0; i < c.size(); ++i) {
    if (is_lower_alnum(c[i])) continue;
    if (c[i] == '-') continue;
    if (c[i] == '.' && is_lower_alnum(c[i + 1])) continue;
    if (c[i] == '_' && (is_lower_alnum(c[i + 1]) || (c[i + 1] == '_' && is_lower_alnum(c[i + 2])))) {
      if (c[i + 1] == '_') ++i;
      continue;
    }
    return false;
  }
  return true;
}

bool valid_tag(std::string_view t) {
  if (t.empty() || t.size() > 128) return false;
  auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  if (!word(t.front())) return false;
  return std::all_of(t.begin(), t.end(), [&](char c) { return word(c) || c == '.' || c == '-'; });
}

bool valid_domain(std::string_view d) {
  if (d.empty()) return false;
  return std::all_of(d.begin(), d.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' || c == '[' ||
           c == ']';
  });
}

[[noreturn]] void invalid(std::string_view text, const std::string& why) {
  throw ReferenceError("invalid reference format \"" + std::string(text) + "\": " + why);
}

}  // namespace

std::string ImageReference::repository() const {
  return domain + "/" + path;
}

std::string ImageReference::full() const {
  std::string out = repository();
  if (!tag.empty()) out += ":" + tag;
  if (!digest.empty()) out += "@" + digest;
  return out;
}

std::string ImageReference::familiar() const {
  std::string name = path;
  if (domain != kDockerHub)
    name = domain + "/" + path;
  else if (name.starts_with(kOfficialNamespace) &&
           name.find('/', kOfficialNamespace.size()) == std::string::npos)
    name = name.substr(kOfficialNamespace.size());
  if (!tag.empty()) name += ":" + tag;
  if (!digest.empty()) name += "@" + digest;
  return name;
}

ImageReference parse_reference(std::string_view text) {
  if (text.empty()) invalid(text, "it is empty");
  ImageReference ref;
  std::string_view rest = text;
  if (auto at = rest.find('@'); at != std::string_view::npos) {
    ref.digest = std::string(rest.substr(at + 1));
    rest = rest.substr(0, at);
    if (!ref.digest.starts_with("sha256:") || ref.digest.size() != 7 + 64 || !is_hex(ref.digest.substr(7)))
      invalid(text, "the digest must be sha256: followed by 64 lowercase hex digits");
  }
  const auto last_slash = rest.rfind('/');
  if (auto colon = rest.rfind(':');
      colon != std::string_view::npos && (last_slash == std::string_view::npos || colon > last_slash)) {
    ref.tag = std::string(rest.substr(colon + 1));
    rest = rest.substr(0, colon);
    if (!valid_tag(ref.tag)) invalid(text, "the tag \"" + ref.tag + "\" is not a valid tag");
  }
  // The first component is a registry when it looks like a host: a dot, a port, or localhost.
  if (auto slash = rest.find('/'); slash != std::string_view::npos) {
    std::string_view first = rest.substr(0, slash);
    if (first.find_first_of(".:") != std::string_view::npos || first == "localhost" ||
        std::any_of(first.begin(), first.end(),
                    [](char c) { return std::isupper(static_cast<unsigned char>(c)); })) {
      if (!valid_domain(first))
        invalid(text, "the registry \"" + std::string(first) + "\" is not a host name");
      ref.domain = std::string(first);
      rest = rest.substr(slash + 1);
    }
  }
  if (ref.domain.empty()) ref.domain = std::string(kDockerHub);
  ref.path = std::string(rest);
  if (ref.domain == kDockerHub && ref.path.find('/') == std::string::npos)
    ref.path = std::string(kOfficialNamespace) + ref.path;
  if (std::any_of(ref.path.begin(), ref.path.end(),
                  [](char c) { return std::isupper(static_cast<unsigned char>(c)); }))
    invalid(text, "repository name must be lowercase");
  for (size_t start = 0; start <= ref.path.size();) {
    size_t end = std::min(ref.path.find('/', start), ref.path.size());
    if (!valid_component(std::string_view(ref.path).substr(start, end - start)))
      invalid(text,
              "\"" + ref.path.substr(start, end - start) +
                  "\" is not a valid name component (lowercase letters and digits, joined by . _ __ or -)");
    start = end + 1;
  }
  if (ref.tag.empty() && ref.digest.empty()) ref.tag = "latest";
  return ref;
}

bool looks_like_id(std::string_view text) {
  if (text.starts_with("sha256:")) text.remove_prefix(7);
  return text.size() >= 12 && text.size() <= 64 && is_hex(text);
}

}  // namespace ukube::images
