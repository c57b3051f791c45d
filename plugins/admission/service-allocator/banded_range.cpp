#include "banded_range.h"

#include <algorithm>

namespace ukube::admission::service_allocator {

uint64_t static_band(uint64_t range_size, uint64_t min, uint64_t max, uint64_t step) {
  if (range_size <= min) return 0;
  return std::clamp(range_size / step, min, max);
}

namespace {

// Tries [first, first + count) from a random point, wrapping around once.
std::optional<uint64_t> scan(uint64_t first, uint64_t count, std::mt19937_64& random,
                             const std::function<bool(uint64_t)>& take) {
  if (count == 0) return std::nullopt;
  const uint64_t start = std::uniform_int_distribution<uint64_t>(0, count - 1)(random);
  for (uint64_t i = 0; i < count; ++i) {
    // (start + i) mod count, without the sum overflowing for IPv6-sized ranges.
    uint64_t offset = start + i;
    if (offset < start || offset >= count) offset -= count;
    if (take(first + offset)) return first + offset;
  }
  return std::nullopt;
}

}  // namespace

std::optional<uint64_t> BandedRange::pick(std::mt19937_64& random,
                                          const std::function<bool(uint64_t)>& take) const {
  const uint64_t low = std::min(band, size);
  if (auto value = scan(low, size - low, random, take)) return value;
  return scan(0, low, random, take);
}

}  // namespace ukube::admission::service_allocator
