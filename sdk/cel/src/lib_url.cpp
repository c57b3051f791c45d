// Kubernetes' URL library: url(), isURL() and the kubernetes.URL getters. Upstream checks
// the text with Go's url.ParseRequestURI (the OpenAPI "uri" format's parser) and reads the
// parts from url.Parse, so both are reproduced here, down to their error messages: a rule's
// message may quote them.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ukube/cel/library.h"
#include "utf8.h"

namespace ukube::cel {
namespace {

constexpr std::string_view kUrlTypeName = "kubernetes.URL";

// The parts of Go's url.URL that the getters read.
struct UrlParts {
  std::string scheme;
  std::string opaque;
  std::string userinfo;
  std::string host;      // unescaped, with the port
  std::string path;      // unescaped
  std::string raw_path;  // the path as written, when escaping `path` would not give it back
  std::string raw_query;
  std::string fragment;

  bool operator==(const UrlParts&) const = default;
};

// Go's strconv.Quote, for messages.
std::string url_quote(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (size_t at = 0; at < s.size();) {
    const size_t start = at;
    const uint32_t cp = detail::next_code_point(s, at);
    const auto byte = static_cast<unsigned char>(s[start]);
    if (cp == 0xFFFD && at - start == 1 && byte >= 0x80) {
      out += "\\x";
      out += kHex[byte >> 4];
      out += kHex[byte & 0xF];
      continue;
    }
    switch (cp) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\a': out += "\\a"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\v': out += "\\v"; break;
      default:
        if (cp < 0x20 || cp == 0x7F) {
          out += "\\x";
          out += kHex[cp >> 4];
          out += kHex[cp & 0xF];
        } else {
          out += s.substr(start, at - start);
        }
    }
  }
  out += '"';
  return out;
}

enum class UrlMode { Path, Host, Zone, UserPassword, QueryComponent, Fragment };

bool url_is_alnum(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool url_is_hex(char c) {
  return url_is_alnum(static_cast<unsigned char>(c)) && (c <= '9' || (c | 0x20) <= 'f');
}

unsigned url_hex_value(char c) {
  return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

// Go's shouldEscape: whether `c` must be %-escaped in the given part of a URL.
bool url_should_escape(unsigned char c, UrlMode mode) {
  if (url_is_alnum(c)) return false;
  if ((mode == UrlMode::Host || mode == UrlMode::Zone) &&
      std::string_view("!$&'()*+,;=:[]<>\"").find(c) != std::string_view::npos) {
    return false;
  }
  switch (c) {
    case '-':
    case '_':
    case '.':
    case '~': return false;
    case '$':
    case '&':
    case '+':
    case ',':
    case '/':
    case ':':
    case ';':
    case '=':
    case '?':
    case '@':
      switch (mode) {
        case UrlMode::Path: return c == '?';
        case UrlMode::UserPassword: return c == '@' || c == '/' || c == '?' || c == ':';
        case UrlMode::QueryComponent: return true;
        case UrlMode::Fragment: return false;
        default: break;
      }
      break;
    default: break;
  }
  if (mode == UrlMode::Fragment && std::string_view("!()*").find(c) != std::string_view::npos) return false;
  return true;
}

struct UrlText {
  std::string text;
  std::string error;  // Go's message when not empty
};

// Go's unescape: %XX sequences decoded, '+' read as a space in query components, and the
// host's stricter rules.
UrlText url_unescape(std::string_view s, UrlMode mode) {
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '%') {
      if (i + 2 >= s.size() || !url_is_hex(s[i + 1]) || !url_is_hex(s[i + 2])) {
        return {{}, "invalid URL escape " + url_quote(s.substr(i, 3))};
      }
      const std::string_view escape = s.substr(i, 3);
      const auto decoded = static_cast<unsigned char>(url_hex_value(s[i + 1]) << 4 | url_hex_value(s[i + 2]));
      // A host may escape only non-ASCII bytes, and "%25" in an IPv6 zone.
      if (mode == UrlMode::Host && url_hex_value(s[i + 1]) < 8 && escape != "%25") {
        return {{}, "invalid URL escape " + url_quote(escape)};
      }
      if (mode == UrlMode::Zone && escape != "%25" && decoded != ' ' &&
          url_should_escape(decoded, UrlMode::Host)) {
        return {{}, "invalid URL escape " + url_quote(escape)};
      }
      i += 3;
    } else {
      if ((mode == UrlMode::Host || mode == UrlMode::Zone) && c < 0x80 && url_should_escape(c, mode)) {
        return {{}, "invalid character " + url_quote(s.substr(i, 1)) + " in host name"};
      }
      ++i;
    }
  }
  UrlText out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%') {
      out.text.push_back(static_cast<char>(url_hex_value(s[i + 1]) << 4 | url_hex_value(s[i + 2])));
      i += 2;
    } else if (s[i] == '+' && mode == UrlMode::QueryComponent) {
      out.text.push_back(' ');
    } else {
      out.text.push_back(s[i]);
    }
  }
  return out;
}

std::string url_escape(std::string_view s, UrlMode mode) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == ' ' && mode == UrlMode::QueryComponent) {
      out.push_back('+');
    } else if (url_should_escape(c, mode)) {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    } else {
      out.push_back(ch);
    }
  }
  return out;
}

// ":" followed by digits, or nothing.
bool url_valid_optional_port(std::string_view port) {
  if (port.empty()) return true;
  if (port[0] != ':') return false;
  for (const char c : port.substr(1)) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

UrlText url_parse_host(std::string_view host) {
  if (host.starts_with('[')) {
    const size_t close = host.rfind(']');
    if (close == std::string_view::npos) return {{}, "missing ']' in host"};
    const std::string_view colon_port = host.substr(close + 1);
    if (!url_valid_optional_port(colon_port))
      return {{}, "invalid port " + url_quote(colon_port) + " after host"};
    const size_t zone = host.substr(0, close).find("%25");
    if (zone != std::string_view::npos) {
      UrlText head = url_unescape(host.substr(0, zone), UrlMode::Host);
      if (!head.error.empty()) return head;
      UrlText zone_text = url_unescape(host.substr(zone, close - zone), UrlMode::Zone);
      if (!zone_text.error.empty()) return zone_text;
      UrlText tail = url_unescape(host.substr(close), UrlMode::Host);
      if (!tail.error.empty()) return tail;
      return {head.text + zone_text.text + tail.text, {}};
    }
  } else if (const size_t colon = host.rfind(':'); colon != std::string_view::npos) {
    const std::string_view colon_port = host.substr(colon);
    if (!url_valid_optional_port(colon_port))
      return {{}, "invalid port " + url_quote(colon_port) + " after host"};
  }
  return url_unescape(host, UrlMode::Host);
}

bool url_valid_userinfo(std::string_view s) {
  for (const char c : s) {
    if (!url_is_alnum(static_cast<unsigned char>(c)) &&
        std::string_view("-._:~!$&'()*+,;=%@").find(c) == std::string_view::npos) {
      return false;
    }
  }
  return true;
}

struct UrlParsed {
  std::optional<UrlParts> url;
  std::string error;  // without the "parse \"...\": " prefix
};

// Go's url.parse, for a request URI (`via_request`: an absolute URL or an absolute path) or
// for url.Parse (which has cut the fragment off first).
UrlParsed url_parse(std::string_view raw, bool via_request) {
  for (const char c : raw) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F)
      return {{}, "net/url: invalid control character in URL"};
  }
  if (raw.empty() && via_request) return {{}, "empty url"};
  UrlParts url;
  if (raw == "*") {
    url.path = "*";
    return {std::move(url), {}};
  }

  // A scheme is letters, then letters, digits, '+', '-' or '.', then ':'.
  std::string_view rest = raw;
  for (size_t i = 0; i < raw.size(); ++i) {
    const char c = raw[i];
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) continue;
    if ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.') {
      if (i == 0) break;
      continue;
    }
    if (c == ':') {
      if (i == 0) return {{}, "missing protocol scheme"};
      for (const char s : raw.substr(0, i))
        url.scheme.push_back(s >= 'A' && s <= 'Z' ? static_cast<char>(s - 'A' + 'a') : s);
      rest = raw.substr(i + 1);
    }
    break;
  }

  // A lone '?' at the end is an empty query (Go's ForceQuery), not part of the path.
  if (rest.ends_with('?') && rest.find('?') == rest.size() - 1) {
    rest.remove_suffix(1);
  } else if (const size_t question = rest.find('?'); question != std::string_view::npos) {
    url.raw_query = std::string(rest.substr(question + 1));
    rest = rest.substr(0, question);
  }

  if (!rest.starts_with('/')) {
    if (!url.scheme.empty()) {
      url.opaque = std::string(rest);  // mailto:x@example.com
      return {std::move(url), {}};
    }
    if (via_request) return {{}, "invalid URI for request"};
    if (rest.substr(0, rest.find('/')).find(':') != std::string_view::npos) {
      return {{}, "first path segment in URL cannot contain colon"};
    }
  }

  if ((!url.scheme.empty() || (!via_request && !rest.starts_with("///"))) && rest.starts_with("//")) {
    std::string_view authority = rest.substr(2);
    rest = {};
    if (const size_t slash = authority.find('/'); slash != std::string_view::npos) {
      rest = authority.substr(slash);
      authority = authority.substr(0, slash);
    }
    const size_t at = authority.rfind('@');
    UrlText host = url_parse_host(at == std::string_view::npos ? authority : authority.substr(at + 1));
    if (!host.error.empty()) return {{}, host.error};
    url.host = std::move(host.text);
    if (at != std::string_view::npos) {
      const std::string_view userinfo = authority.substr(0, at);
      if (!url_valid_userinfo(userinfo)) return {{}, "net/url: invalid userinfo"};
      const size_t colon = userinfo.find(':');
      UrlText user = url_unescape(userinfo.substr(0, colon), UrlMode::UserPassword);
      if (!user.error.empty()) return {{}, user.error};
      if (colon != std::string_view::npos) {
        UrlText password = url_unescape(userinfo.substr(colon + 1), UrlMode::UserPassword);
        if (!password.error.empty()) return {{}, password.error};
      }
      url.userinfo = std::string(userinfo);
    }
  }

  UrlText path = url_unescape(rest, UrlMode::Path);
  if (!path.error.empty()) return {{}, path.error};
  url.path = std::move(path.text);
  if (url_escape(url.path, UrlMode::Path) != rest) url.raw_path = std::string(rest);
  return {std::move(url), {}};
}

// Go's ParseRequestURI's verdict, then url.Parse's reading, as Kubernetes' url() takes them.
UrlParsed url_parse_for_cel(std::string_view raw) {
  UrlParsed checked = url_parse(raw, true);
  if (!checked.url) return checked;
  const size_t hash = raw.find('#');
  UrlParsed parsed = url_parse(raw.substr(0, hash), false);
  if (parsed.url && hash != std::string_view::npos) {
    UrlText fragment = url_unescape(raw.substr(hash + 1), UrlMode::Fragment);
    if (!fragment.error.empty()) return {{}, fragment.error};
    parsed.url->fragment = std::move(fragment.text);
  }
  return parsed;
}

// Go's validEncoded: whether a raw path needs no further escaping.
bool url_valid_encoded(std::string_view s) {
  for (const char c : s) {
    if (std::string_view("!$&'()*+,;=:@[]%").find(c) != std::string_view::npos) continue;
    if (url_should_escape(static_cast<unsigned char>(c), UrlMode::Path)) return false;
  }
  return true;
}

// Go's splitHostPort, behind Hostname() and Port().
std::pair<std::string, std::string> url_split_host_port(std::string_view host_port) {
  std::string_view host = host_port;
  std::string_view port;
  if (const size_t colon = host.rfind(':');
      colon != std::string_view::npos && url_valid_optional_port(host.substr(colon))) {
    port = host.substr(colon + 1);
    host = host.substr(0, colon);
  }
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  return {std::string(host), std::string(port)};
}

class UrlValue final : public Opaque {
 public:
  explicit UrlValue(UrlParts parts) : parts_(std::move(parts)) {}
  std::string_view type_name() const override { return kUrlTypeName; }
  bool equals(const Opaque& other) const override {
    const auto* url = dynamic_cast<const UrlValue*>(&other);
    return url != nullptr && url->parts_ == parts_;
  }
  const UrlParts& parts() const { return parts_; }

  std::string escaped_path() const {
    if (!parts_.raw_path.empty() && url_valid_encoded(parts_.raw_path)) {
      const UrlText unescaped = url_unescape(parts_.raw_path, UrlMode::Path);
      if (unescaped.error.empty() && unescaped.text == parts_.path) return parts_.raw_path;
    }
    if (parts_.path == "*") return "*";
    return url_escape(parts_.path, UrlMode::Path);
  }

  // Go's ParseQuery, skipping what it skips: pairs with ';', empty keys, bad escapes.
  Value query() const {
    std::vector<std::pair<std::string, std::vector<Value>>> values;
    std::string_view rest = parts_.raw_query;
    while (!rest.empty()) {
      const size_t amp = rest.find('&');
      const std::string_view pair = rest.substr(0, amp);
      rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
      if (pair.empty() || pair.find(';') != std::string_view::npos) continue;
      const size_t equals_sign = pair.find('=');
      const UrlText key = url_unescape(pair.substr(0, equals_sign), UrlMode::QueryComponent);
      const UrlText value = url_unescape(
          equals_sign == std::string_view::npos ? std::string_view() : pair.substr(equals_sign + 1),
          UrlMode::QueryComponent);
      if (!key.error.empty() || !value.error.empty()) continue;
      auto it = values.begin();
      while (it != values.end() && it->first != key.text) ++it;
      if (it == values.end()) it = values.insert(values.end(), {key.text, {}});
      it->second.emplace_back(value.text);
    }
    MapData map;
    for (auto& [key, list] : values) map.entries.emplace_back(Value(key), Value(std::move(list)));
    return Value(std::move(map));
  }

 private:
  UrlParts parts_;
};

Overload url_getter(std::string id, TypePtr result, std::function<Value(const UrlValue&)> get) {
  return Overload{std::move(id),
                  true,
                  {types::opaque(std::string(kUrlTypeName))},
                  std::move(result),
                  [get = std::move(get)](std::span<const Value> args) {
                    const auto* url = args[0].opaque_as<UrlValue>();
                    return url != nullptr ? get(*url) : Value::error("no such overload");
                  },
                  CallCost::constant()};
}

}  // namespace

void add_url_functions(Library& library) {
  const TypePtr url_type = types::opaque(std::string(kUrlTypeName));
  const TypePtr str = types::string();
  library.add("url",
              Overload{"string_to_url",
                       false,
                       {str},
                       url_type,
                       [](std::span<const Value> args) {
                         const std::string& raw = args[0].as_string();
                         UrlParsed parsed = url_parse_for_cel(raw);
                         if (!parsed.url) {
                           return Value::error("URL parse error during conversion from string: parse " +
                                               url_quote(raw) + ": " + parsed.error);
                         }
                         return Value(std::make_shared<const UrlValue>(std::move(*parsed.url)));
                       },
                       CallCost::linear(0.1, 0)});
  library.add("isURL", Overload{"is_url_string",
                                false,
                                {str},
                                types::boolean(),
                                [](std::span<const Value> args) {
                                  return Value(url_parse(args[0].as_string(), true).url.has_value());
                                },
                                CallCost::constant()});
  library.add("getScheme",
              url_getter("url_get_scheme", str, [](const UrlValue& u) { return Value(u.parts().scheme); }));
  library.add("getHost",
              url_getter("url_get_host", str, [](const UrlValue& u) { return Value(u.parts().host); }));
  library.add("getHostname", url_getter("url_get_hostname", str, [](const UrlValue& u) {
                return Value(url_split_host_port(u.parts().host).first);
              }));
  library.add("getPort", url_getter("url_get_port", str, [](const UrlValue& u) {
                return Value(url_split_host_port(u.parts().host).second);
              }));
  library.add("getEscapedPath", url_getter("url_get_escaped_path", str,
                                           [](const UrlValue& u) { return Value(u.escaped_path()); }));
  library.add("getQuery", url_getter("url_get_query", types::map(str, types::list(str)),
                                     [](const UrlValue& u) { return u.query(); }));
}

}  // namespace ukube::cel
