#include "response_cache.h"

#include <algorithm>
#include <array>
#include <cstring>

namespace ukube::dns {

std::shared_ptr<const CachedResponse> CachedResponse::from_upstream(const Message& reply, uint32_t max_ttl,
                                                                    Clock::time_point now) {
  auto entry = std::make_shared<CachedResponse>();
  entry->stored_ = now;
  entry->rcode_ = reply.rcode();
  // CoreDNS's classification (plugin/pkg/response Typify, plugin/cache key and TTL rules).
  const bool has_soa = std::any_of(reply.authority.begin(), reply.authority.end(),
                                   [](const Record& r) { return r.type == type::kSOA; });
  const uint16_t rc = reply.rcode();
  bool keep = !reply.truncated() && reply.questions.size() == 1;
  uint32_t ttl = kMinCacheTtl;
  if (rc == rcode::kServFail || rc == rcode::kNotImp) {
    ttl = kFailureTtl;
  } else if (rc == rcode::kNoError || (rc == rcode::kNXDomain && has_soa && reply.answer.empty())) {
    // The smallest TTL of any record; no records at all: 5 s.
    uint32_t least = UINT32_MAX;
    for (const auto* section : {&reply.answer, &reply.authority, &reply.additional})
      for (const auto& r : *section) least = std::min(least, r.ttl);
    if (least == UINT32_MAX) least = kMinCacheTtl;
    ttl = std::min(std::max(least, kMinCacheTtl), std::max(max_ttl, 1u));
  } else {
    keep = false;  // NXDOMAIN without an SOA or with answers, REFUSED and the rest
  }
  entry->ttl_ = std::min(ttl, std::max(max_ttl, 1u));
  entry->cacheable_ = keep && max_ttl > 0;

  std::array<uint8_t, kMaxMessageSize> buf;
  MessageWriter w(buf.data(), buf.size());
  w.header(0, static_cast<uint16_t>(reply.flags & ~flag::kTC));
  w.set_rcode(rc > 15 ? rcode::kServFail : rc);
  if (!reply.questions.empty()) {
    const Question& q = reply.questions.front();
    w.question(q.name.wire(), q.type, q.cls);
  }
  entry->question_end_ = w.size();
  w.track_ttls(&entry->ttl_offsets_);
  const std::pair<Section, const std::vector<Record>*> sections[] = {
      {Section::answer, &reply.answer},
      {Section::authority, &reply.authority},
      {Section::additional, &reply.additional}};
  for (const auto& [section, records] : sections) {
    for (const auto& r : *records) {
      Record copy = r;
      copy.ttl = entry->ttl_;
      if (!w.record(section, copy)) break;
      entry->boundaries_.push_back(
          {static_cast<uint16_t>(w.size()),
           {w.count(Section::answer), w.count(Section::authority), w.count(Section::additional)}});
    }
  }
  const size_t size = w.finish();
  entry->wire_.assign(buf.begin(), buf.begin() + static_cast<ptrdiff_t>(size));
  return entry;
}

int64_t CachedResponse::remaining(Clock::time_point now) const {
  return static_cast<int64_t>(ttl_) - std::chrono::duration_cast<std::chrono::seconds>(now - stored_).count();
}

size_t CachedResponse::serve(const Query& q, Clock::time_point now, size_t limit, uint8_t* out,
                             size_t capacity) const {
  // The question must be the asker's, up to case: its bytes are replaced by the asker's.
  if (question_end_ != kHeaderSize + q.qname.size() + 4 || wire_.size() < question_end_ ||
      !names_equal({wire_.data() + kHeaderSize, q.qname.size()}, q.qname.wire()) ||
      get16(&wire_[question_end_ - 4]) != q.qtype || get16(&wire_[question_end_ - 2]) != q.qclass)
    return 0;
  limit = std::min(limit, capacity);
  const size_t opt = q.edns ? kOptRecordSize : 0;
  size_t size = wire_.size();
  const uint16_t* counts = nullptr;
  bool truncated = false;
  if (size + opt > limit) {
    truncated = true;
    size = question_end_;
    for (const auto& b : boundaries_) {
      if (b.end + opt > limit) break;
      size = b.end;
      counts = b.counts;
    }
  }
  std::memcpy(out, wire_.data(), size);
  std::memcpy(out + kHeaderSize, q.qname.data(), q.qname.size());
  put16(out, q.id);
  uint16_t flags = get16(out + 2);
  flags = static_cast<uint16_t>((flags & ~(flag::kRD | flag::kCD | 0x7800)) |
                                (q.flags & (flag::kRD | flag::kCD)));
  if (!q.dnssec_ok && !q.ad()) flags &= static_cast<uint16_t>(~flag::kAD);
  if (truncated) flags |= flag::kTC;
  put16(out + 2, flags);
  if (truncated) {
    static constexpr uint16_t kNone[3] = {0, 0, 0};
    const uint16_t* c = counts ? counts : kNone;
    put16(out + 6, c[0]);
    put16(out + 8, c[1]);
    put16(out + 10, c[2]);
  }
  const auto left = static_cast<uint32_t>(std::max<int64_t>(remaining(now), 0));
  for (uint16_t at : ttl_offsets_)
    if (at + 4u <= size) put32(out + at, left);
  if (q.edns) {
    uint8_t* p = out + size;
    p[0] = 0;
    put16(p + 1, type::kOPT);
    put16(p + 3, kAdvertisedUdpSize);
    put32(p + 5, q.dnssec_ok ? 0x8000u : 0u);
    put16(p + 9, 0);
    size += kOptRecordSize;
    put16(out + 10, static_cast<uint16_t>(get16(out + 10) + 1));
  }
  return size;
}

ResponseCache::ResponseCache(size_t capacity, uint32_t max_ttl) : capacity_(capacity), max_ttl_(max_ttl) {}

void ResponseCache::key(std::span<const uint8_t> lower_name, uint16_t qtype, uint16_t qclass, bool dnssec_ok,
                        bool checking_disabled, std::string& out) {
  out.assign(reinterpret_cast<const char*>(lower_name.data()), lower_name.size());
  const char tail[6] = {static_cast<char>(qtype >> 8),  static_cast<char>(qtype),
                        static_cast<char>(qclass >> 8), static_cast<char>(qclass),
                        static_cast<char>(dnssec_ok),   static_cast<char>(checking_disabled)};
  out.append(tail, sizeof tail);
}

std::shared_ptr<const CachedResponse> ResponseCache::get(std::string_view key, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return nullptr;
  if (it->second->remaining(now) <= 0) {
    entries_.erase(it);
    return nullptr;
  }
  return it->second;
}

void ResponseCache::put(const std::string& key, std::shared_ptr<const CachedResponse> entry,
                        Clock::time_point now) {
  if (max_ttl_ == 0 || !entry || !entry->cacheable()) return;
  std::lock_guard lock(mutex_);
  if (entries_.size() >= capacity_ && !entries_.contains(key)) {
    // Expired entries go first; if there are none among the first few, an arbitrary one.
    size_t looked = 0;
    for (auto it = entries_.begin(); it != entries_.end() && looked < 16; ++looked) {
      if (it->second->remaining(now) <= 0)
        it = entries_.erase(it);
      else
        ++it;
    }
    if (entries_.size() >= capacity_) entries_.erase(entries_.begin());
  }
  entries_.insert_or_assign(key, std::move(entry));
}

size_t ResponseCache::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace ukube::dns
