#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

// The DNS wire format (RFC 1035, 3597, 6891): strict parsing of queries and whole messages,
// and a writer with name compression and truncation. The parsers are pure functions over
// bytes (a fuzz target: tests/fuzz/fuzz_dns_message.cpp): every length is checked, a
// compression pointer must point before itself (so no loop can be built), a name is at
// most 255 bytes, and a count is believed only as far as the bytes go.
namespace ukube::dns {

namespace type {
inline constexpr uint16_t kA = 1;
inline constexpr uint16_t kNS = 2;
inline constexpr uint16_t kCNAME = 5;
inline constexpr uint16_t kSOA = 6;
inline constexpr uint16_t kPTR = 12;
inline constexpr uint16_t kMX = 15;
inline constexpr uint16_t kTXT = 16;
inline constexpr uint16_t kAAAA = 28;
inline constexpr uint16_t kSRV = 33;
inline constexpr uint16_t kDNAME = 39;
inline constexpr uint16_t kOPT = 41;
inline constexpr uint16_t kIXFR = 251;
inline constexpr uint16_t kAXFR = 252;
inline constexpr uint16_t kANY = 255;
}  // namespace type

inline constexpr uint16_t kClassIN = 1;

namespace rcode {
inline constexpr uint8_t kNoError = 0;
inline constexpr uint8_t kFormErr = 1;
inline constexpr uint8_t kServFail = 2;
inline constexpr uint8_t kNXDomain = 3;
inline constexpr uint8_t kNotImp = 4;
inline constexpr uint8_t kRefused = 5;
inline constexpr uint16_t kBadVers = 16;  // extended: upper 8 bits in the OPT record
}  // namespace rcode

// Header flag bits (the second 16-bit word).
namespace flag {
inline constexpr uint16_t kQR = 0x8000;
inline constexpr uint16_t kAA = 0x0400;
inline constexpr uint16_t kTC = 0x0200;
inline constexpr uint16_t kRD = 0x0100;
inline constexpr uint16_t kRA = 0x0080;
inline constexpr uint16_t kAD = 0x0020;
inline constexpr uint16_t kCD = 0x0010;
}  // namespace flag

inline constexpr size_t kHeaderSize = 12;
inline constexpr size_t kMaxNameSize = 255;  // wire form, the root's 0 included
inline constexpr size_t kMaxLabelSize = 63;
inline constexpr size_t kMinUdpSize = 512;        // without EDNS, and the least EDNS may ask for
inline constexpr size_t kMaxMessageSize = 65535;  // TCP
inline constexpr size_t kOptRecordSize = 11;      // an OPT record without options

inline uint16_t get16(const uint8_t* p) {
  return static_cast<uint16_t>(p[0] << 8 | p[1]);
}
inline uint32_t get32(const uint8_t* p) {
  return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3];
}
inline void put16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}
inline void put32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}

inline uint8_t ascii_lower(uint8_t c) {
  return c >= 'A' && c <= 'Z' ? static_cast<uint8_t>(c + 32) : c;
}

// A domain name in uncompressed wire form (length-prefixed labels, then the root's 0),
// held inline: parsing and answering never allocate for names.
class Name {
 public:
  Name() { bytes_[0] = 0; }
  // From dotted text ("web.default.svc.cluster.local", a trailing dot optional); nullopt
  // when a label is empty or too long or the name too long. No escapes: Kubernetes names
  // have none.
  static std::optional<Name> from_text(std::string_view text);
  // From wire bytes that are already a valid uncompressed name.
  static Name from_wire(std::span<const uint8_t> wire);
  void assign(std::span<const uint8_t> wire);
  // This name lower-cased into `out` (one pass, no copy first).
  void lower_into(Name& out) const;

  const uint8_t* data() const { return bytes_.data(); }
  size_t size() const { return size_; }  // wire bytes, the root's 0 included
  std::span<const uint8_t> wire() const { return {bytes_.data(), size_}; }
  size_t label_count() const;
  bool is_root() const { return size_ == 1; }

  // Appends a label before the final 0; false (name unchanged) when it would not fit.
  bool append_label(std::string_view label);
  // Appends the labels of `suffix` (a wire name) in place of the final 0.
  bool append_name(std::span<const uint8_t> suffix);
  void lowercase();
  // Dotted text with a trailing dot ("a.b." , "." for the root), for logs and tests.
  std::string text() const;

  friend bool operator==(const Name& a, const Name& b) {
    return a.size_ == b.size_ && std::equal(a.bytes_.begin(), a.bytes_.begin() + a.size_, b.bytes_.begin());
  }

 private:
  std::array<uint8_t, kMaxNameSize> bytes_;
  size_t size_ = 1;
};

// Case-insensitive equality of two wire names.
bool names_equal(std::span<const uint8_t> a, std::span<const uint8_t> b);
// Whether wire name `name` is `zone` or below it (case-insensitive); the offset in `name`
// where the zone's labels start when it is.
std::optional<size_t> zone_offset(std::span<const uint8_t> name, std::span<const uint8_t> zone);
// The labels of a wire name as views (at most 127); a prefix of a name (up to a label
// boundary) gives the labels before it. Nothing is initialised beyond what the name has:
// it is made several times per answer.
class Labels {
 public:
  explicit Labels(std::span<const uint8_t> name) : name_(name.data()) {
    for (size_t pos = 0; pos < name.size() && name[pos] != 0 && count_ < kMax; pos += 1 + name[pos])
      at_[count_++] = static_cast<uint8_t>(pos);
  }
  size_t count() const { return count_; }
  std::string_view operator[](size_t i) const {
    return {reinterpret_cast<const char*>(name_ + at_[i] + 1), name_[at_[i]]};
  }

 private:
  static constexpr size_t kMax = 128;
  const uint8_t* name_;
  size_t count_ = 0;
  std::array<uint8_t, kMax> at_;
};

// Reads the (possibly compressed) name at `offset` of `msg` into `out` (uncompressed); the
// offset just after the name in the message, or nullopt when it is malformed: a label past
// the end, a reserved label type, a pointer that does not point before the part of the name
// it is in (or into the header), a name beyond 255 bytes.
std::optional<size_t> read_name(std::span<const uint8_t> msg, size_t offset, Name& out);

// What a query asks, parsed without allocating.
struct Query {
  uint16_t id = 0;
  uint16_t flags = 0;  // the header's second word as sent
  Name qname;          // as sent: answers echo its case
  Name lower;          // lower-cased, for lookups and keys
  uint16_t qtype = 0;
  uint16_t qclass = 0;
  size_t question_end = 0;  // offset just after the question in the query
  bool edns = false;
  uint16_t udp_size = 0;  // the client's advertised UDP payload size (EDNS), else 0
  uint8_t edns_version = 0;
  bool dnssec_ok = false;  // the DO bit

  uint8_t opcode() const { return (flags >> 11) & 0xF; }
  bool rd() const { return flags & flag::kRD; }
  bool cd() const { return flags & flag::kCD; }
  bool ad() const { return flags & flag::kAD; }
  // How large a UDP answer may be: 512 without EDNS, the advertised size (at least 512,
  // at most `cap`) with it.
  size_t udp_limit(size_t cap) const;
};

enum class QueryStatus {
  ok,
  ignore,   // not worth an answer: shorter than a header, or a response (QR set)
  formerr,  // malformed; answered FORMERR (id and opcode known)
  notimp,   // an opcode other than QUERY
  badvers,  // EDNS version above 0
};

// Parses a query strictly: one question, no answer or authority records, at most one OPT
// in the additional section (other additional records, e.g. TSIG, are skipped), nothing
// after the last record. Never reads out of bounds; `out` holds whatever was parsed.
QueryStatus parse_query(std::span<const uint8_t> msg, Query& out);

// A whole message, for upstream answers and tests. Names are uncompressed wire bytes; the
// rdata of types whose rdata holds names (NS, CNAME, PTR, DNAME, SOA, MX, SRV and the
// other RFC 3597 §4 types) is rewritten with those names uncompressed, so a record can be
// written into another message.
struct Record {
  Name name;
  uint16_t type = 0;
  uint16_t cls = 0;
  uint32_t ttl = 0;
  std::string rdata;
};
struct Question {
  Name name;
  uint16_t type = 0;
  uint16_t cls = 0;
};
struct Message {
  uint16_t id = 0;
  uint16_t flags = 0;
  std::vector<Question> questions;
  std::vector<Record> answer, authority, additional;  // additional without the OPT record
  bool edns = false;
  uint16_t udp_size = 0;
  uint8_t extended_rcode = 0;  // the OPT's upper rcode bits
  bool dnssec_ok = false;

  uint16_t rcode() const { return static_cast<uint16_t>((flags & 0xF) | extended_rcode << 4); }
  bool truncated() const { return flags & flag::kTC; }
};
std::optional<Message> parse_message(std::span<const uint8_t> msg, std::string* error = nullptr);

enum class Section { answer, authority, additional };

// Writes a message into a caller's buffer. Names are compressed (case-insensitively) against
// every name written before. Records beyond `limit` bytes (the client's UDP size, less the
// OPT record finish() adds) are dropped whole, with every record after them, and the
// message is marked truncated (TC), as miekg/dns's Truncate does for CoreDNS.
class MessageWriter {
 public:
  MessageWriter(uint8_t* buffer, size_t capacity);

  void header(uint16_t id, uint16_t flags);
  void set_rcode(uint16_t rcode);  // extended rcodes go into the OPT record
  uint16_t flags() const { return get16(buf_ + 2); }
  void set_flags(uint16_t flags) { dns::put16(buf_ + 2, flags); }
  // The size records may fill, the OPT record excluded; at most the capacity.
  void set_limit(size_t limit);
  // Asks finish() for an OPT record with this UDP size and DO bit.
  void set_edns(uint16_t udp_size, bool dnssec_ok);
  bool question(std::span<const uint8_t> name, uint16_t qtype, uint16_t qclass);
  // The question's name as written: owner names equal to it compress to a pointer to it.
  size_t question_name_offset() const { return kHeaderSize; }

  // A record, built between begin() and end(): begin() writes the owner, type, class and
  // TTL; rdata comes through the put_* calls; end() sets the rdata length, or drops the
  // record (and truncates the message) when it went past the limit. Both return false
  // once the message is truncated; after a false begin() there is nothing to end().
  bool begin(Section section, std::span<const uint8_t> owner, uint16_t type, uint16_t cls, uint32_t ttl);
  // A record whose owner is a name already written at `owner_offset` (the question's, or a
  // suffix of it): the owner is a pointer, no lookup.
  bool begin_at(Section section, uint16_t owner_offset, uint16_t type, uint16_t cls, uint32_t ttl);
  void put16(uint16_t v);
  void put32(uint32_t v);
  void put_bytes(std::span<const uint8_t> bytes);
  void put_name(std::span<const uint8_t> name, bool compress = true);
  bool end();

  // A parsed record, its rdata's names compressed where RFC 3597 allows it.
  bool record(Section section, const Record& record);

  bool truncated() const { return truncated_; }
  void set_truncated() { truncated_ = true; }
  // Offsets of the TTL field of every record written so far (for cache entries).
  const std::vector<uint16_t>* ttl_offsets() const { return ttl_offsets_; }
  void track_ttls(std::vector<uint16_t>* offsets) { ttl_offsets_ = offsets; }
  uint16_t count(Section s) const { return counts_[static_cast<int>(s)]; }
  size_t size() const { return size_; }
  // Sets the counts, adds the OPT record; the message's length.
  size_t finish();

 private:
  struct Suffix {
    uint32_t hash;
    uint16_t offset;
    uint8_t labels;
  };
  void write_name(std::span<const uint8_t> name, bool compress);
  bool start_record(Section section);
  bool drop();  // undoes the record in progress and truncates the message; false
  bool record_head(uint16_t type, uint16_t cls, uint32_t ttl);
  bool room(size_t n);
  std::optional<uint16_t> find_suffix(std::span<const uint8_t> name, size_t label_start, uint32_t hash,
                                      uint8_t labels) const;

  uint8_t* buf_;
  size_t capacity_;
  size_t limit_;
  size_t size_ = kHeaderSize;
  bool overflow_ = false;  // a record in progress went past the capacity
  bool truncated_ = false;
  bool qd_ = false;
  std::array<uint16_t, 3> counts_{};
  uint16_t extended_rcode_ = 0;
  bool edns_ = false;
  uint16_t edns_udp_size_ = 0;
  bool edns_do_ = false;
  // The record in progress.
  size_t record_start_ = 0;
  size_t rdlength_at_ = 0;
  Section section_ = Section::answer;
  size_t suffix_mark_ = 0;
  size_t ttl_mark_ = 0;
  std::array<Suffix, 256> suffixes_;
  size_t suffix_count_ = 0;
  std::vector<uint16_t>* ttl_offsets_ = nullptr;
};

// Text forms of addresses and reverse names.
struct IpAddress {
  uint8_t family = 0;  // 4 or 6; 0: none
  std::array<uint8_t, 16> bytes{};

  static std::optional<IpAddress> parse(std::string_view text);
  size_t size() const { return family == 4 ? 4 : family == 6 ? 16 : 0; }
  std::span<const uint8_t> span() const { return {bytes.data(), size()}; }
  std::string text() const;
  friend bool operator==(const IpAddress& a, const IpAddress& b) {
    return a.family == b.family && a.bytes == b.bytes;
  }
};
struct IpAddressHash {
  size_t operator()(const IpAddress& a) const;
};
// 1-2-3-4 / 2001-db8--1: an address as written, dashed, as CoreDNS names an endpoint without
// a hostname (lower-cased; an IPv6 address ending in "::" gets a final 0).
std::string dashed_address(std::string_view text);
// The address a full reverse name (d.c.b.a.in-addr.arpa, 32 nibbles.ip6.arpa) stands for.
std::optional<IpAddress> address_from_reverse(std::span<const uint8_t> lower_name);

}  // namespace ukube::dns
