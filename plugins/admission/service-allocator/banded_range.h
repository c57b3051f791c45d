#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <random>

// How upstream hands out values from a range it shares between requested and picked ones
// (KEP-3070 for cluster IPs, KEP-3668 for node ports): the lowest `band` values are left
// for requests, so a dynamic pick starts at a random value above them and takes from the
// band only once everything above is taken. Requests may name any value.
namespace ukube::admission::service_allocator {

// min(max(min, range_size / step), max), or 0 when `range_size` is `min` or less
// (upstream's calculateRangeOffset).
uint64_t static_band(uint64_t range_size, uint64_t min, uint64_t max, uint64_t step);

struct BandedRange {
  uint64_t size = 0;  // values 0 .. size-1
  uint64_t band = 0;  // the low values kept for requests (less than size)

  // The first value, in pick order, that `take` accepts: from a random start above the band
  // to its top and around, then the same within the band. nullopt when `take` accepts none.
  std::optional<uint64_t> pick(std::mt19937_64& random, const std::function<bool(uint64_t)>& take) const;
};

}  // namespace ukube::admission::service_allocator
