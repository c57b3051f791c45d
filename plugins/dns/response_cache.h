#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "cluster_index.h"
#include "wire.h"

// Answers from upstream, kept as CoreDNS's cache plugin keeps them: keyed on the lower-cased
// name, type, class and the DO and CD bits; every record carries the entry's TTL, the
// smallest TTL in the answer bounded to [5 s, cache_seconds] (positive and negative
// answers alike; a name error without an SOA is not kept, SERVFAIL is kept 5 s); a
// truncated answer is never kept. An entry is the answer encoded once, ready to be copied
// out with the asker's id, question spelling, remaining TTL and EDNS record.
namespace ukube::dns {

using Clock = std::chrono::steady_clock;

inline constexpr uint32_t kMinCacheTtl = 5;           // CoreDNS's MinimalDefaultTTL
inline constexpr uint32_t kFailureTtl = 5;            // SERVFAIL from upstream
inline constexpr uint16_t kAdvertisedUdpSize = 1232;  // in our OPT records (DNS flag day 2020)

class CachedResponse {
 public:
  // The answer to keep from an upstream reply (its first question is the one asked), with
  // TTLs bounded to [min, max]; `cacheable` false when it must not be kept.
  static std::shared_ptr<const CachedResponse> from_upstream(const Message& reply, uint32_t max_ttl,
                                                             Clock::time_point now);

  bool cacheable() const { return cacheable_; }
  uint16_t rcode() const { return rcode_; }
  uint32_t ttl() const { return ttl_; }
  // Seconds left; <= 0 when expired.
  int64_t remaining(Clock::time_point now) const;
  // Writes the answer to `query` into `out` (at least 512 bytes), at most `limit` bytes
  // with the OPT record (records that do not fit are dropped and TC set); its length, or
  // 0 when the entry cannot answer this query (its question differs).
  size_t serve(const Query& query, Clock::time_point now, size_t limit, uint8_t* out, size_t capacity) const;
  // The whole encoded answer (id 0, no OPT record), for tests and CNAME chasing.
  std::span<const uint8_t> wire() const { return wire_; }

 private:
  struct Boundary {
    uint16_t end;
    uint16_t counts[3];
  };
  std::vector<uint8_t> wire_;
  std::vector<uint16_t> ttl_offsets_;
  std::vector<Boundary> boundaries_;  // after each record
  size_t question_end_ = 0;
  uint16_t rcode_ = 0;
  uint32_t ttl_ = 0;
  bool cacheable_ = false;
  Clock::time_point stored_;
};

class ResponseCache {
 public:
  // `max_ttl` 0: nothing is kept.
  ResponseCache(size_t capacity, uint32_t max_ttl);

  uint32_t max_ttl() const { return max_ttl_; }
  // The key of a question: lower-cased name, type, class, DO and CD.
  static void key(std::span<const uint8_t> lower_name, uint16_t qtype, uint16_t qclass, bool dnssec_ok,
                  bool checking_disabled, std::string& out);
  // A live entry, or null.
  std::shared_ptr<const CachedResponse> get(std::string_view key, Clock::time_point now);
  void put(const std::string& key, std::shared_ptr<const CachedResponse> entry, Clock::time_point now);
  size_t size() const;

 private:
  mutable std::mutex mutex_;
  size_t capacity_;
  uint32_t max_ttl_;
  StringMap<std::shared_ptr<const CachedResponse>> entries_;
};

}  // namespace ukube::dns
