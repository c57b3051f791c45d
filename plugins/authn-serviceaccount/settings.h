#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace ukube::authn::sa {

inline constexpr const char* kDefaultIssuer = "https://kubernetes.default.svc.cluster.local";

// What the issuer and the authenticator share, from the plugin's config (config.proto).
struct TokenSettings {
  std::string issuer = kDefaultIssuer;
  std::vector<std::string> api_audiences{kDefaultIssuer};  // what this API server answers to
  int64_t max_expiration_seconds = 0;                      // 0: as requested
};

// Seconds since the epoch; tests pass a fixed clock.
using Now = std::function<int64_t()>;
int64_t system_now();

}  // namespace ukube::authn::sa
