#include "wire.h"

#include <arpa/inet.h>

#include <cstring>

namespace ukube::dns {
namespace {

// How a type's rdata is laid out, where it holds names (RFC 1035, RFC 3597 §4).
enum class Field : uint8_t { name, fixed2, fixed4, fixed6, fixed20, text };
struct Layout {
  const Field* fields = nullptr;
  size_t count = 0;
  bool compressible = false;  // RFC 1035's own types: their names may be compressed
};

constexpr Field kOneName[] = {Field::name};
constexpr Field kTwoNames[] = {Field::name, Field::name};
constexpr Field kSoa[] = {Field::name, Field::name, Field::fixed20};
constexpr Field kPreferenceName[] = {Field::fixed2, Field::name};
constexpr Field kPx[] = {Field::fixed2, Field::name, Field::name};
constexpr Field kSrv[] = {Field::fixed6, Field::name};
constexpr Field kNaptr[] = {Field::fixed4, Field::text, Field::text, Field::text, Field::name};

template <size_t N>
constexpr Layout layout_of(const Field (&f)[N], bool compressible) {
  return Layout{f, N, compressible};
}

Layout rdata_layout(uint16_t t) {
  switch (t) {
    case type::kNS:
    case 3:  // MD
    case 4:  // MF
    case type::kCNAME:
    case 7:  // MB
    case 8:  // MG
    case 9:  // MR
    case type::kPTR: return layout_of(kOneName, true);
    case type::kDNAME: return layout_of(kOneName, false);
    case type::kSOA: return layout_of(kSoa, true);
    case 14: return layout_of(kTwoNames, true);  // MINFO
    case type::kMX: return layout_of(kPreferenceName, true);
    case 17: return layout_of(kTwoNames, false);        // RP
    case 18:                                            // AFSDB
    case 21:                                            // RT
    case 36: return layout_of(kPreferenceName, false);  // KX
    case 26: return layout_of(kPx, false);
    case type::kSRV: return layout_of(kSrv, false);
    case 35: return layout_of(kNaptr, false);
    default: return {};
  }
}

size_t fixed_size(Field f) {
  switch (f) {
    case Field::fixed2: return 2;
    case Field::fixed4: return 4;
    case Field::fixed6: return 6;
    case Field::fixed20: return 20;
    default: return 0;
  }
}

// The length of the uncompressed wire name at the start of `bytes`, or 0 when it is not one.
size_t wire_name_length(std::span<const uint8_t> bytes) {
  size_t pos = 0;
  while (pos < bytes.size()) {
    const uint8_t len = bytes[pos];
    if (len == 0) return pos + 1 <= kMaxNameSize ? pos + 1 : 0;
    if (len > kMaxLabelSize) return 0;
    pos += 1 + len;
  }
  return 0;
}

uint32_t mix_label(uint32_t h, const uint8_t* label, size_t len) {
  h ^= static_cast<uint32_t>(len);
  h *= 16777619u;
  for (size_t i = 0; i < len; ++i) {
    h ^= ascii_lower(label[i]);
    h *= 16777619u;
  }
  return h;
}

bool labels_equal(const uint8_t* a, const uint8_t* b, size_t len) {
  for (size_t i = 0; i < len; ++i)
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  return true;
}

// Reads one record's fixed part after its owner at `pos`: type, class, TTL, rdata bounds.
struct RecordHead {
  uint16_t type, cls;
  uint32_t ttl;
  size_t rdata, rdata_end;
};
std::optional<RecordHead> read_head(std::span<const uint8_t> msg, size_t pos) {
  if (pos + 10 > msg.size()) return std::nullopt;
  RecordHead h{get16(&msg[pos]), get16(&msg[pos + 2]), get32(&msg[pos + 4]), pos + 10, 0};
  h.rdata_end = h.rdata + get16(&msg[pos + 8]);
  if (h.rdata_end > msg.size()) return std::nullopt;
  return h;
}

bool fail(std::string* error, const char* what) {
  if (error) *error = what;
  return false;
}

// Rewrites rdata of a type that holds names with those names uncompressed.
bool decompress_rdata(std::span<const uint8_t> msg, const RecordHead& h, std::string& out) {
  const Layout layout = rdata_layout(h.type);
  const auto* begin = reinterpret_cast<const char*>(msg.data());
  if (!layout.fields) {
    out.assign(begin + h.rdata, begin + h.rdata_end);
    return true;
  }
  out.clear();
  size_t pos = h.rdata;
  for (size_t i = 0; i < layout.count; ++i) {
    const Field f = layout.fields[i];
    if (f == Field::name) {
      Name name;
      auto end = read_name(msg, pos, name);
      if (!end || *end > h.rdata_end) return false;
      out.append(reinterpret_cast<const char*>(name.data()), name.size());
      pos = *end;
    } else if (f == Field::text) {
      if (pos >= h.rdata_end || pos + 1 + msg[pos] > h.rdata_end) return false;
      out.append(begin + pos, 1 + msg[pos]);
      pos += 1 + msg[pos];
    } else {
      const size_t n = fixed_size(f);
      if (pos + n > h.rdata_end) return false;
      out.append(begin + pos, n);
      pos += n;
    }
  }
  return pos == h.rdata_end;
}

}  // namespace

// --- Name ---------------------------------------------------------------------------

std::optional<Name> Name::from_text(std::string_view text) {
  Name n;
  if (text == "." || text.empty()) return n;
  if (text.back() == '.') text.remove_suffix(1);
  while (true) {
    const size_t dot = text.find('.');
    const std::string_view label = text.substr(0, dot);
    if (label.empty() || !n.append_label(label)) return std::nullopt;
    if (dot == std::string_view::npos) break;
    text.remove_prefix(dot + 1);
  }
  return n;
}

Name Name::from_wire(std::span<const uint8_t> wire) {
  Name n;
  n.assign(wire);
  return n;
}

void Name::assign(std::span<const uint8_t> wire) {
  size_ = std::min(wire.size(), kMaxNameSize);
  std::memcpy(bytes_.data(), wire.data(), size_);
}

void Name::lower_into(Name& out) const {
  out.size_ = size_;
  for (size_t i = 0; i < size_; ++i) out.bytes_[i] = ascii_lower(bytes_[i]);
}

size_t Name::label_count() const {
  size_t count = 0;
  for (size_t pos = 0; pos < size_ && bytes_[pos] != 0; pos += 1 + bytes_[pos]) ++count;
  return count;
}

bool Name::append_label(std::string_view label) {
  if (label.empty() || label.size() > kMaxLabelSize || size_ + 1 + label.size() > kMaxNameSize) return false;
  bytes_[size_ - 1] = static_cast<uint8_t>(label.size());
  std::memcpy(&bytes_[size_], label.data(), label.size());
  size_ += label.size() + 1;
  bytes_[size_ - 1] = 0;
  return true;
}

bool Name::append_name(std::span<const uint8_t> suffix) {
  if (suffix.empty() || size_ - 1 + suffix.size() > kMaxNameSize) return false;
  std::memcpy(&bytes_[size_ - 1], suffix.data(), suffix.size());
  size_ += suffix.size() - 1;
  return true;
}

void Name::lowercase() {
  for (size_t pos = 0; pos < size_ && bytes_[pos] != 0; pos += 1 + bytes_[pos])
    for (size_t i = 1; i <= bytes_[pos]; ++i) bytes_[pos + i] = ascii_lower(bytes_[pos + i]);
}

std::string Name::text() const {
  if (size_ <= 1) return ".";
  std::string out;
  for (size_t pos = 0; pos < size_ && bytes_[pos] != 0; pos += 1 + bytes_[pos]) {
    out.append(reinterpret_cast<const char*>(&bytes_[pos + 1]), bytes_[pos]);
    out += '.';
  }
  return out;
}

bool names_equal(std::span<const uint8_t> a, std::span<const uint8_t> b) {
  return a.size() == b.size() && labels_equal(a.data(), b.data(), a.size());
}

std::optional<size_t> zone_offset(std::span<const uint8_t> name, std::span<const uint8_t> zone) {
  if (zone.size() > name.size()) return std::nullopt;
  const size_t start = name.size() - zone.size();
  // The zone must begin on a label boundary of the name.
  size_t pos = 0;
  while (pos < start) pos += 1 + name[pos];
  if (pos != start || !labels_equal(name.data() + start, zone.data(), zone.size())) return std::nullopt;
  return start;
}

std::optional<size_t> read_name(std::span<const uint8_t> msg, size_t offset, Name& out) {
  std::array<uint8_t, kMaxNameSize> buf;
  size_t len = 0;
  size_t pos = offset;
  size_t segment = offset;  // where the part being read began: a pointer must go before it
  std::optional<size_t> end;
  while (true) {
    if (pos >= msg.size()) return std::nullopt;
    const uint8_t b = msg[pos];
    if ((b & 0xC0) == 0xC0) {
      if (pos + 1 >= msg.size()) return std::nullopt;
      const size_t target = static_cast<size_t>(b & 0x3F) << 8 | msg[pos + 1];
      if (target >= segment || target < kHeaderSize) return std::nullopt;
      if (!end) end = pos + 2;
      pos = segment = target;
      continue;
    }
    if (b & 0xC0) return std::nullopt;  // 0x40 and 0x80 label types are reserved
    if (b == 0) {
      if (len + 1 > kMaxNameSize) return std::nullopt;
      buf[len++] = 0;
      if (!end) end = pos + 1;
      break;
    }
    if (pos + 1 + b > msg.size() || len + 1 + b + 1 > kMaxNameSize) return std::nullopt;
    std::memcpy(&buf[len], &msg[pos], 1 + b);
    len += 1 + b;
    pos += 1 + b;
  }
  out.assign({buf.data(), len});
  return end;
}

// --- Queries --------------------------------------------------------------------------

size_t Query::udp_limit(size_t cap) const {
  if (!edns) return kMinUdpSize;
  return std::min<size_t>(std::max<size_t>(udp_size, kMinUdpSize), cap);
}

QueryStatus parse_query(std::span<const uint8_t> msg, Query& out) {
  if (msg.size() < kHeaderSize) return QueryStatus::ignore;
  out.id = get16(&msg[0]);
  out.flags = get16(&msg[2]);
  out.edns = false;
  out.udp_size = 0;
  out.edns_version = 0;
  out.dnssec_ok = false;
  if (out.flags & flag::kQR) return QueryStatus::ignore;
  if (out.opcode() != 0) return QueryStatus::notimp;
  const uint16_t qd = get16(&msg[4]), an = get16(&msg[6]), ns = get16(&msg[8]), ar = get16(&msg[10]);
  if (qd != 1 || an != 0 || ns != 0) return QueryStatus::formerr;
  auto pos = read_name(msg, kHeaderSize, out.qname);
  if (!pos || *pos + 4 > msg.size()) return QueryStatus::formerr;
  out.qtype = get16(&msg[*pos]);
  out.qclass = get16(&msg[*pos + 2]);
  out.question_end = *pos + 4;
  out.qname.lower_into(out.lower);
  size_t at = out.question_end;
  for (uint16_t i = 0; i < ar; ++i) {
    Name owner;
    auto after = read_name(msg, at, owner);
    if (!after) return QueryStatus::formerr;
    auto head = read_head(msg, *after);
    if (!head) return QueryStatus::formerr;
    if (head->type == type::kOPT) {
      if (out.edns || !owner.is_root()) return QueryStatus::formerr;
      // Options: code, length, data; they must tile the rdata exactly.
      size_t opt = head->rdata;
      while (opt < head->rdata_end) {
        if (opt + 4 > head->rdata_end) return QueryStatus::formerr;
        opt += 4 + get16(&msg[opt + 2]);
      }
      if (opt != head->rdata_end) return QueryStatus::formerr;
      out.edns = true;
      out.udp_size = head->cls;
      out.edns_version = static_cast<uint8_t>(head->ttl >> 16);
      out.dnssec_ok = head->ttl & 0x8000;
    }
    at = head->rdata_end;
  }
  if (at != msg.size()) return QueryStatus::formerr;
  if (out.edns && out.edns_version > 0) return QueryStatus::badvers;
  return QueryStatus::ok;
}

// --- Whole messages ---------------------------------------------------------------------

std::optional<Message> parse_message(std::span<const uint8_t> msg, std::string* error) {
  if (msg.size() < kHeaderSize) return fail(error, "shorter than a header"), std::nullopt;
  Message m;
  m.id = get16(&msg[0]);
  m.flags = get16(&msg[2]);
  const uint16_t qd = get16(&msg[4]);
  const uint16_t counts[3] = {get16(&msg[6]), get16(&msg[8]), get16(&msg[10])};
  // Counts are believed only as far as the bytes could hold them.
  const size_t room = msg.size() - kHeaderSize;
  if (size_t(qd) * 5 + (size_t(counts[0]) + counts[1] + counts[2]) * 11 > room)
    return fail(error, "counts larger than the message"), std::nullopt;
  size_t pos = kHeaderSize;
  for (uint16_t i = 0; i < qd; ++i) {
    Question q;
    auto after = read_name(msg, pos, q.name);
    if (!after || *after + 4 > msg.size()) return fail(error, "bad question"), std::nullopt;
    q.type = get16(&msg[*after]);
    q.cls = get16(&msg[*after + 2]);
    m.questions.push_back(q);
    pos = *after + 4;
  }
  std::vector<Record>* sections[3] = {&m.answer, &m.authority, &m.additional};
  for (int s = 0; s < 3; ++s) {
    for (uint16_t i = 0; i < counts[s]; ++i) {
      Record r;
      auto after = read_name(msg, pos, r.name);
      if (!after) return fail(error, "bad owner name"), std::nullopt;
      auto head = read_head(msg, *after);
      if (!head) return fail(error, "record past the end"), std::nullopt;
      pos = head->rdata_end;
      if (head->type == type::kOPT) {
        if (s != 2 || m.edns || !r.name.is_root()) return fail(error, "misplaced OPT record"), std::nullopt;
        m.edns = true;
        m.udp_size = head->cls;
        m.extended_rcode = static_cast<uint8_t>(head->ttl >> 24);
        m.dnssec_ok = head->ttl & 0x8000;
        continue;
      }
      r.type = head->type;
      r.cls = head->cls;
      r.ttl = head->ttl;
      if (!decompress_rdata(msg, *head, r.rdata)) return fail(error, "bad rdata"), std::nullopt;
      sections[s]->push_back(std::move(r));
    }
  }
  if (pos != msg.size()) return fail(error, "bytes after the last record"), std::nullopt;
  return m;
}

// --- Writing ---------------------------------------------------------------------------

MessageWriter::MessageWriter(uint8_t* buffer, size_t capacity)
    : buf_(buffer), capacity_(std::min(capacity, kMaxMessageSize)), limit_(capacity_) {
  std::memset(buf_, 0, kHeaderSize);
}

void MessageWriter::header(uint16_t id, uint16_t flags) {
  dns::put16(buf_, id);
  dns::put16(buf_ + 2, flags);
}

void MessageWriter::set_rcode(uint16_t rcode) {
  set_flags(static_cast<uint16_t>((flags() & ~0xF) | (rcode & 0xF)));
  extended_rcode_ = rcode >> 4;
}

void MessageWriter::set_limit(size_t limit) {
  limit_ = std::min(limit, capacity_);
}

void MessageWriter::set_edns(uint16_t udp_size, bool dnssec_ok) {
  edns_ = true;
  edns_udp_size_ = udp_size;
  edns_do_ = dnssec_ok;
}

bool MessageWriter::room(size_t n) {
  if (overflow_ || size_ + n > capacity_) {
    overflow_ = true;
    return false;
  }
  return true;
}

void MessageWriter::put16(uint16_t v) {
  if (!room(2)) return;
  dns::put16(buf_ + size_, v);
  size_ += 2;
}

void MessageWriter::put32(uint32_t v) {
  if (!room(4)) return;
  dns::put32(buf_ + size_, v);
  size_ += 4;
}

void MessageWriter::put_bytes(std::span<const uint8_t> bytes) {
  if (!room(bytes.size())) return;
  std::memcpy(buf_ + size_, bytes.data(), bytes.size());
  size_ += bytes.size();
}

void MessageWriter::put_name(std::span<const uint8_t> name, bool compress) {
  write_name(name, compress);
}

std::optional<uint16_t> MessageWriter::find_suffix(std::span<const uint8_t> name, size_t label_start,
                                                   uint32_t hash, uint8_t labels) const {
  for (size_t i = 0; i < suffix_count_; ++i) {
    const Suffix& s = suffixes_[i];
    if (s.hash != hash || s.labels != labels) continue;
    // Walk the message from the candidate (following our own pointers) beside the name.
    size_t at = s.offset;
    size_t pos = label_start;
    bool same = true;
    while (same) {
      uint8_t b = buf_[at];
      if ((b & 0xC0) == 0xC0) {
        at = static_cast<size_t>(b & 0x3F) << 8 | buf_[at + 1];
        continue;
      }
      if (b != name[pos]) {
        same = false;
      } else if (b == 0) {
        break;
      } else {
        same = labels_equal(buf_ + at + 1, name.data() + pos + 1, b);
        at += 1 + b;
        pos += 1 + b;
      }
    }
    if (same) return s.offset;
  }
  return std::nullopt;
}

void MessageWriter::write_name(std::span<const uint8_t> name, bool compress) {
  // Label starts and the hash of each suffix, right to left.
  std::array<uint16_t, 128> starts;
  std::array<uint32_t, 129> hashes;
  size_t n = 0;
  for (size_t pos = 0; pos < name.size() && name[pos] != 0 && n < starts.size(); pos += 1 + name[pos])
    starts[n++] = static_cast<uint16_t>(pos);
  hashes[n] = 2166136261u;
  for (size_t i = n; i-- > 0;) hashes[i] = mix_label(hashes[i + 1], &name[starts[i] + 1], name[starts[i]]);
  // The longest suffix already in the message.
  size_t match = n;
  std::optional<uint16_t> pointer;
  if (compress) {
    for (size_t i = 0; i < n; ++i) {
      if ((pointer = find_suffix(name, starts[i], hashes[i], static_cast<uint8_t>(n - i)))) {
        match = i;
        break;
      }
    }
  }
  for (size_t i = 0; i < match; ++i) {
    const uint8_t len = name[starts[i]];
    if (!room(1 + len)) return;
    if (size_ < 0x4000 && suffix_count_ < suffixes_.size())
      suffixes_[suffix_count_++] = {hashes[i], static_cast<uint16_t>(size_), static_cast<uint8_t>(n - i)};
    std::memcpy(buf_ + size_, &name[starts[i]], 1 + len);
    size_ += 1 + len;
  }
  if (pointer) {
    put16(static_cast<uint16_t>(0xC000 | *pointer));
  } else if (room(1)) {
    buf_[size_++] = 0;
  }
}

bool MessageWriter::question(std::span<const uint8_t> name, uint16_t qtype, uint16_t qclass) {
  write_name(name, true);
  put16(qtype);
  put16(qclass);
  qd_ = !overflow_;
  return qd_;
}

bool MessageWriter::begin(Section section, std::span<const uint8_t> owner, uint16_t type, uint16_t cls,
                          uint32_t ttl) {
  if (!start_record(section)) return false;
  write_name(owner, true);
  return record_head(type, cls, ttl);
}

bool MessageWriter::begin_at(Section section, uint16_t owner_offset, uint16_t type, uint16_t cls,
                             uint32_t ttl) {
  if (!start_record(section)) return false;
  if (owner_offset >= 0x4000 || owner_offset >= size_) return drop();  // no pointer reaches it
  put16(static_cast<uint16_t>(0xC000 | owner_offset));
  return record_head(type, cls, ttl);
}

bool MessageWriter::start_record(Section section) {
  if (truncated_) return false;
  record_start_ = size_;
  suffix_mark_ = suffix_count_;
  ttl_mark_ = ttl_offsets_ ? ttl_offsets_->size() : 0;
  section_ = section;
  overflow_ = false;
  return true;
}

bool MessageWriter::record_head(uint16_t type, uint16_t cls, uint32_t ttl) {
  put16(type);
  put16(cls);
  if (ttl_offsets_ && !overflow_) ttl_offsets_->push_back(static_cast<uint16_t>(size_));
  put32(ttl);
  rdlength_at_ = size_;
  put16(0);
  return overflow_ ? drop() : true;
}

bool MessageWriter::drop() {
  size_ = record_start_;
  suffix_count_ = suffix_mark_;
  if (ttl_offsets_) ttl_offsets_->resize(ttl_mark_);
  overflow_ = false;
  truncated_ = true;
  return false;
}

bool MessageWriter::end() {
  const size_t limit = limit_ - (edns_ ? std::min(limit_, kOptRecordSize) : 0);
  if (overflow_ || size_ > limit || size_ - rdlength_at_ - 2 > 0xFFFF) return drop();
  dns::put16(buf_ + rdlength_at_, static_cast<uint16_t>(size_ - rdlength_at_ - 2));
  ++counts_[static_cast<int>(section_)];
  return true;
}

bool MessageWriter::record(Section section, const Record& r) {
  if (!begin(section, r.name.wire(), r.type, r.cls, r.ttl)) return false;
  const Layout layout = rdata_layout(r.type);
  const auto* rdata = reinterpret_cast<const uint8_t*>(r.rdata.data());
  if (!layout.fields) {
    put_bytes({rdata, r.rdata.size()});
    return end();
  }
  size_t pos = 0;
  for (size_t i = 0; i < layout.count && !overflow_; ++i) {
    const Field f = layout.fields[i];
    if (f == Field::name) {
      const size_t len = wire_name_length({rdata + pos, r.rdata.size() - pos});
      if (len == 0) {
        overflow_ = true;  // not the rdata parse_message makes: drop the record
        break;
      }
      write_name({rdata + pos, len}, layout.compressible);
      pos += len;
    } else {
      const size_t n = f == Field::text ? (pos < r.rdata.size() ? 1 + rdata[pos] : 1) : fixed_size(f);
      if (pos + n > r.rdata.size()) {
        overflow_ = true;
        break;
      }
      put_bytes({rdata + pos, n});
      pos += n;
    }
  }
  return end();
}

size_t MessageWriter::finish() {
  dns::put16(buf_ + 4, qd_ ? 1 : 0);
  dns::put16(buf_ + 6, counts_[0]);
  dns::put16(buf_ + 8, counts_[1]);
  uint16_t ar = counts_[2];
  if (truncated_) set_flags(flags() | flag::kTC);
  if (edns_ && size_ + kOptRecordSize <= capacity_) {
    uint8_t* p = buf_ + size_;
    p[0] = 0;
    dns::put16(p + 1, type::kOPT);
    dns::put16(p + 3, edns_udp_size_);
    dns::put32(p + 5, static_cast<uint32_t>(extended_rcode_ & 0xFF) << 24 | (edns_do_ ? 0x8000u : 0u));
    dns::put16(p + 9, 0);
    size_ += kOptRecordSize;
    ++ar;
  }
  dns::put16(buf_ + 10, ar);
  return size_;
}

// --- Addresses ------------------------------------------------------------------------

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  char buf[INET6_ADDRSTRLEN + 1];
  if (text.empty() || text.size() >= sizeof buf) return std::nullopt;
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = 0;
  IpAddress a;
  if (inet_pton(AF_INET, buf, a.bytes.data()) == 1) {
    a.family = 4;
    return a;
  }
  if (inet_pton(AF_INET6, buf, a.bytes.data()) == 1) {
    a.family = 6;
    return a;
  }
  return std::nullopt;
}

std::string IpAddress::text() const {
  char buf[INET6_ADDRSTRLEN];
  if (family == 4) return inet_ntop(AF_INET, bytes.data(), buf, sizeof buf);
  if (family == 6) return inet_ntop(AF_INET6, bytes.data(), buf, sizeof buf);
  return {};
}

std::string dashed_address(std::string_view text) {
  std::string s(text);
  for (char& c : s) c = c == '.' || c == ':' ? '-' : static_cast<char>(ascii_lower(static_cast<uint8_t>(c)));
  if (text.find(':') != std::string_view::npos && !s.empty() && s.back() == '-') s += '0';
  return s;
}

size_t IpAddressHash::operator()(const IpAddress& a) const {
  uint64_t h = 1469598103934665603ull ^ a.family;
  for (size_t i = 0; i < a.size(); ++i) h = (h ^ a.bytes[i]) * 1099511628211ull;
  return static_cast<size_t>(h);
}

std::optional<IpAddress> address_from_reverse(std::span<const uint8_t> lower_name) {
  static const Name v4 = *Name::from_text("in-addr.arpa");
  static const Name v6 = *Name::from_text("ip6.arpa");
  const Labels labels(lower_name);
  IpAddress a;
  if (zone_offset(lower_name, v4.wire())) {
    if (labels.count() != 6) return std::nullopt;
    a.family = 4;
    for (size_t i = 0; i < 4; ++i) {
      const std::string_view l = labels[3 - i];
      if (l.empty() || l.size() > 3 || (l.size() > 1 && l[0] == '0')) return std::nullopt;
      unsigned v = 0;
      for (char c : l) {
        if (c < '0' || c > '9') return std::nullopt;
        v = v * 10 + static_cast<unsigned>(c - '0');
      }
      if (v > 255) return std::nullopt;
      a.bytes[i] = static_cast<uint8_t>(v);
    }
    return a;
  }
  if (zone_offset(lower_name, v6.wire())) {
    if (labels.count() != 34) return std::nullopt;
    a.family = 6;
    for (size_t i = 0; i < 32; ++i) {
      const std::string_view l = labels[31 - i];
      if (l.size() != 1) return std::nullopt;
      const char c = l[0];
      const int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
      if (v < 0) return std::nullopt;
      a.bytes[i / 2] = static_cast<uint8_t>(a.bytes[i / 2] | (i % 2 == 0 ? v << 4 : v));
    }
    return a;
  }
  return std::nullopt;
}

}  // namespace ukube::dns
