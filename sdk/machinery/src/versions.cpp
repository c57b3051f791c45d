#include "ukube/machinery/versions.h"

#include <charconv>
#include <tuple>

namespace ukube::machinery {
namespace {

struct KubeVersion {
  bool valid = false;
  int stage = 2;  // 2 GA, 1 beta, 0 alpha
  int major = 0, minor = 0;
};

KubeVersion parse_kube_version(std::string_view v) {
  KubeVersion k;
  if (v.size() < 2 || v[0] != 'v' || v[1] == '0') return k;
  const char* end = v.data() + v.size();
  auto [after_major, ec] = std::from_chars(v.data() + 1, end, k.major);
  if (ec != std::errc() || k.major <= 0) return k;
  std::string_view rest(after_major, end - after_major);
  if (rest.empty()) {
    k.valid = true;
    return k;
  }
  if (rest.starts_with("alpha")) {
    k.stage = 0;
    rest.remove_prefix(5);
  } else if (rest.starts_with("beta")) {
    k.stage = 1;
    rest.remove_prefix(4);
  } else {
    return k;
  }
  if (rest.empty() || rest[0] == '0') return k;
  auto [after_minor, ec2] = std::from_chars(rest.data(), rest.data() + rest.size(), k.minor);
  k.valid = ec2 == std::errc() && after_minor == rest.data() + rest.size() && k.minor > 0;
  return k;
}

}  // namespace

bool version_preferred(std::string_view a, std::string_view b) {
  KubeVersion x = parse_kube_version(a), y = parse_kube_version(b);
  if (x.valid != y.valid) return x.valid;
  if (!x.valid) return a < b;
  return std::tie(x.stage, x.major, x.minor) > std::tie(y.stage, y.major, y.minor);
}

GroupVersion parse_api_version(std::string_view api_version) {
  const auto slash = api_version.find('/');
  if (slash == std::string_view::npos) return {{}, std::string(api_version)};
  return {std::string(api_version.substr(0, slash)), std::string(api_version.substr(slash + 1))};
}

}  // namespace ukube::machinery
