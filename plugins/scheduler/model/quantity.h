#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

// Kubernetes resource quantities ("250m", "1.5", "128Mi", "2G", "1e3") as integers.
namespace ukube::scheduler {

// The amount in thousandths, rounded up ("250m" -> 250, "2" -> 2000); nullopt if malformed.
std::optional<int64_t> parse_milli(std::string_view text);
// The amount in whole units, rounded up ("128Mi" -> 134217728, "100m" -> 1).
std::optional<int64_t> parse_units(std::string_view text);

}  // namespace ukube::scheduler
