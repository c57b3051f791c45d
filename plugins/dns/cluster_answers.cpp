#include "cluster_answers.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>

namespace ukube::dns {
namespace {

constexpr int kMaxCnameChain = 10;  // CoreDNS's maxCnameChainLength
constexpr uint32_t kSoaMaxTtl = 300;

bool v4_like(const IpAddress& ip) {
  if (ip.family == 4) return true;
  static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  return ip.family == 6 && std::memcmp(ip.bytes.data(), kMapped, sizeof kMapped) == 0;
}

std::span<const uint8_t> v4_bytes(const IpAddress& ip) {
  return ip.family == 4 ? std::span<const uint8_t>(ip.bytes.data(), 4)
                        : std::span<const uint8_t>(&ip.bytes[12], 4);
}

std::string_view strip_underscore(std::string_view s) {
  return !s.empty() && s.front() == '_' ? s.substr(1) : s;
}

bool matches_port(std::string_view want_port, const ServicePort& p, std::string_view want_protocol) {
  return (want_port.empty() || want_port == p.name) && (want_protocol.empty() || want_protocol == p.protocol);
}

// "name.namespace" on the stack.
struct KeyBuffer {
  std::array<char, 2 * kMaxLabelSize + 2> bytes;
  size_t size = 0;
  KeyBuffer(std::string_view name, std::string_view ns) {
    std::memcpy(bytes.data(), name.data(), name.size());
    bytes[name.size()] = '.';
    std::memcpy(bytes.data() + name.size() + 1, ns.data(), ns.size());
    size = name.size() + 1 + ns.size();
  }
  std::string_view view() const { return {bytes.data(), size}; }
};

}  // namespace

void ClusterAnswer::clear() {
  outcome = Outcome::answer;
  answer.clear();
  authority.clear();
  extra.clear();
  names.clear();
  external = -1;
  zone_offset = 0;
}

void ClusterAnswer::external_failed() {
  answer.clear();
  extra.clear();
  external = -1;
  authority.assign(1, soa);
}

int16_t ClusterAnswer::add_name(const Name& name) {
  names.push_back(name);
  return static_cast<int16_t>(names.size() - 1);
}

// An address (or an ExternalName target) a name stands for, with the port and the name
// CoreDNS files it under (its "key"): the SRV target.
struct ClusterAnswers::Found {
  bool is_name = false;
  IpAddress ip;
  const Name* target = nullptr;
  int32_t port = 0;
  std::array<std::string_view, 4> key{};  // labels before the zone
  uint8_t key_labels = 0;
};

struct ClusterAnswers::Context {
  const ClusterIndex::Reader& index;
  const Query& query;
  ClusterAnswer& out;
  std::span<const uint8_t> zone_suffix;  // the zone as the client wrote it
  uint32_t serial;
};

ClusterAnswers::ClusterAnswers(Settings settings) : settings_(std::move(settings)) {
  settings_.zone.lowercase();
  ns_dns_zone_ = *Name::from_text("ns.dns");
  ns_dns_zone_.append_name(settings_.zone.wire());
}

int16_t ClusterAnswers::key_name(Context& c, const Found& f) const {
  Name n;
  for (size_t i = 0; i < f.key_labels; ++i) n.append_label(f.key[i]);
  n.append_name(c.zone_suffix);
  return c.out.add_name(n);
}

// CoreDNS's Records(): parse the name (parse.go), then findPods / findServices.
bool ClusterAnswers::records(Context& c, std::span<const uint8_t> name, size_t zone_offset,
                             std::vector<Found>& found) const {
  const Labels labels(name.first(zone_offset));
  const size_t base = labels.count();
  if (base == 0) return true;  // the apex: no data
  const std::string_view kind = labels[base - 1];
  if (base == 1 && (kind == "svc" || kind == "pod")) return true;
  if (kind != "svc" && kind != "pod") return false;
  const std::string_view ns = labels[base - 2];
  const std::string_view service = base >= 3 ? labels[base - 3] : std::string_view();
  std::string_view endpoint, port, protocol;
  switch (base) {
    case 2:
    case 3: break;
    case 4: endpoint = labels[0]; break;
    case 5:
      port = strip_underscore(labels[0]);
      protocol = strip_underscore(labels[1]);
      break;
    default: return false;  // too long to mean anything
  }
  if (!c.index.namespace_exists(ns)) return false;

  if (kind == "pod") {
    if (settings_.pods == PodMode::disabled) return false;
    if (service.empty()) return true;
    // 1-2-3-4 is 1.2.3.4; anything else is an IPv6 address with dashes for colons.
    std::array<char, 64> text;
    if (service.size() >= text.size()) return false;
    const bool v4 =
        std::count(service.begin(), service.end(), '-') == 3 && service.find("--") == std::string_view::npos;
    for (size_t i = 0; i < service.size(); ++i) text[i] = service[i] == '-' ? (v4 ? '.' : ':') : service[i];
    auto ip = IpAddress::parse({text.data(), service.size()});
    if (!ip) return false;
    if (settings_.pods == PodMode::verified && !c.index.pod_exists(*ip, ns)) return false;
    Found f;
    f.ip = *ip;
    f.key = {service, ns, "pod"};
    f.key_labels = 3;
    found.push_back(f);
    return true;
  }

  if (service.empty()) return true;
  const KeyBuffer key(service, ns);
  const ServiceRecord* svc = c.index.service(key.view());
  if (!svc) return false;
  bool ok = false;
  if (svc->kind == ServiceRecord::Kind::external_name) {
    if (!endpoint.empty() || !port.empty() || !protocol.empty() || !svc->external_name) return false;
    Found f;
    f.is_name = true;
    f.target = &*svc->external_name;
    f.key = {svc->name, svc->ns, "svc"};
    f.key_labels = 3;
    found.push_back(f);
    return true;
  }
  if (svc->kind == ServiceRecord::Kind::headless || !endpoint.empty()) {
    if (const auto* slices = c.index.endpoints(key.view())) {
      for (const auto& [slice_name, set] : *slices) {
        for (const auto& address : set.ready) {
          if (!endpoint.empty() && endpoint != address.hostname) continue;
          for (const auto& p : set.ports) {
            if (!matches_port(port, p, protocol)) continue;
            Found f;
            f.ip = address.ip;
            f.port = p.port;
            f.key = {address.hostname, svc->name, svc->ns, "svc"};
            f.key_labels = 4;
            found.push_back(f);
            ok = true;
          }
        }
      }
    }
    return ok;
  }
  for (const auto& p : svc->ports) {
    if (!matches_port(port, p, protocol)) continue;
    ok = true;
    for (const auto& ip : svc->cluster_ips) {
      Found f;
      f.ip = ip;
      f.port = p.port;
      f.key = {svc->name, svc->ns, "svc"};
      f.key_labels = 3;
      found.push_back(f);
    }
  }
  return ok;
}

// CoreDNS's Services(): the name server's own name, else Records(); SRV drops CNAMEs.
bool ClusterAnswers::services(Context& c, std::span<const uint8_t> name, size_t zone_offset, uint16_t qtype,
                              std::vector<Found>& found) const {
  if (names_equal(name, ns_dns_zone_.wire())) {
    std::vector<IpAddress> ips;
    name_server_addresses(c, ips);
    for (const auto& ip : ips) {
      if ((qtype == type::kA && v4_like(ip)) || (qtype == type::kAAAA && !v4_like(ip))) {
        Found f;
        f.ip = ip;
        found.push_back(f);
      }
    }
    return true;
  }
  const bool ok = records(c, name, zone_offset, found);
  if (qtype == type::kSRV)
    found.erase(std::remove_if(found.begin(), found.end(), [](const Found& f) { return f.is_name; }),
                found.end());
  return ok;
}

// CoreDNS's nsAddrs(): the kube-dns Service's addresses when there is one, else ours.
int16_t ClusterAnswers::name_server_addresses(Context& c, std::vector<IpAddress>& ips) const {
  const ServiceRecord* svc = c.index.service("kube-dns.kube-system");
  if (svc && !svc->cluster_ips.empty()) {
    ips = svc->cluster_ips;
    Name n = *Name::from_text("kube-dns.kube-system.svc");
    n.append_name(c.zone_suffix);
    return c.out.add_name(n);
  }
  ips = settings_.own_addresses;
  Name n = *Name::from_text("ns.dns");
  n.append_name(c.zone_suffix);
  return c.out.add_name(n);
}

// CoreDNS's A() / AAAA(): addresses, and CNAMEs followed inside the zone.
bool ClusterAnswers::addresses(Context& c, std::span<const uint8_t> name, int16_t owner, uint16_t qtype,
                               int depth) const {
  const auto zone_at = zone_offset(name, settings_.zone.wire());
  if (!zone_at) return false;
  thread_local std::vector<Found> top;
  std::vector<Found> nested;
  std::vector<Found>& found = depth == 0 ? top : nested;
  found.clear();
  if (!services(c, name, *zone_at, qtype, found)) return false;
  auto& answer = c.out.answer;
  const size_t first = answer.size();
  for (const Found& f : found) {
    if (f.is_name) {
      const Name& target = *f.target;
      if (names_equal(target.wire(), name) || depth > kMaxCnameChain) continue;
      const bool seen = std::any_of(answer.begin(), answer.end(), [&](const AnswerRecord& r) {
        return r.type == type::kCNAME && r.owner == owner &&
               names_equal(c.out.names[r.target].wire(), target.wire());
      });
      if (seen) continue;
      const int16_t t = c.out.add_name(target);
      answer.push_back(AnswerRecord::pointer(type::kCNAME, settings_.ttl, owner, t));
      Name lower = target;
      lower.lowercase();
      if (zone_offset(lower.wire(), settings_.zone.wire())) {
        const size_t mark = answer.size();
        const int16_t external = c.out.external;
        if (!addresses(c, lower.wire(), t, qtype, depth + 1) || answer.size() == mark) {
          answer.resize(mark - 1);
          c.out.external = external;
        }
      } else if (c.out.external < 0) {
        c.out.external = t;
      }
      continue;
    }
    const bool want = qtype == type::kA ? v4_like(f.ip) : !v4_like(f.ip);
    if (!want) continue;
    const bool dup = std::any_of(answer.begin() + static_cast<ptrdiff_t>(first), answer.end(),
                                 [&](const AnswerRecord& r) { return r.type == qtype && r.ip == f.ip; });
    if (!dup) answer.push_back(AnswerRecord::address(qtype, settings_.ttl, owner, f.ip));
  }
  return true;
}

// CoreDNS's SRV(): a record per (target, port), the targets' addresses as extras.
bool ClusterAnswers::srv(Context& c) const {
  thread_local std::vector<Found> found;
  found.clear();
  const std::span<const uint8_t> name = c.query.lower.wire();
  if (!services(c, name, c.out.zone_offset, type::kSRV, found)) return false;
  // Every record has priority 0 and weight 100 (CoreDNS's defaults), so each one's share is
  // 100 / n of 100, in CoreDNS's floating-point arithmetic.
  double share = 100.0 / static_cast<double>(100 * found.size());
  share *= 100;
  const auto weight = static_cast<uint16_t>(std::max(1.0, std::floor(share)));
  for (const Found& f : found) {
    if (f.port == -1) continue;
    const int16_t target = key_name(c, f);
    const Name& t = c.out.names[target];
    const auto port = static_cast<uint16_t>(f.port);
    const bool dup_srv = std::any_of(c.out.answer.begin(), c.out.answer.end(), [&](const AnswerRecord& r) {
      return r.port == port && names_equal(c.out.names[r.target].wire(), t.wire());
    });
    if (!dup_srv) c.out.answer.push_back(AnswerRecord::srv(settings_.ttl, target, weight, port));
    const bool dup_address = std::any_of(c.out.extra.begin(), c.out.extra.end(), [&](const AnswerRecord& r) {
      return r.ip == f.ip && names_equal(c.out.names[r.owner].wire(), t.wire());
    });
    if (!dup_address)
      c.out.extra.push_back(
          AnswerRecord::address(v4_like(f.ip) ? type::kA : type::kAAAA, settings_.ttl, target, f.ip));
  }
  return true;
}

void ClusterAnswers::name_server(Context& c) const {
  std::vector<IpAddress> ips;
  const int16_t target = name_server_addresses(c, ips);
  c.out.answer.push_back(AnswerRecord::pointer(type::kNS, settings_.ttl, AnswerRecord::kQuestion, target));
  for (const auto& ip : ips)
    c.out.extra.push_back(
        AnswerRecord::address(v4_like(ip) ? type::kA : type::kAAAA, settings_.ttl, target, ip));
}

void ClusterAnswers::add_soa(Context& c, std::vector<AnswerRecord>& section) const {
  section.push_back(c.out.soa);
}

void ClusterAnswers::answer(const ClusterIndex::Reader& index, bool synced, uint32_t serial,
                            const Query& query, size_t zone_offset, ClusterAnswer& out) const {
  out.clear();
  out.zone_offset = zone_offset;
  Context c{index, query, out, query.qname.wire().subspan(zone_offset), serial};
  out.soa = AnswerRecord::soa(std::min(settings_.ttl, kSoaMaxTtl), serial, settings_.ttl);
  const std::span<const uint8_t> name = query.lower.wire();
  const bool apex = zone_offset == 0;
  thread_local std::vector<Found> found;
  found.clear();
  bool ok = true;
  switch (query.qtype) {
    case type::kA:
    case type::kAAAA: ok = addresses(c, name, AnswerRecord::kQuestion, query.qtype, 0); break;
    case type::kTXT: {
      const Labels labels(name.first(zone_offset));
      if (labels.count() == 1 && labels[0] == "dns-version") {
        out.answer.push_back(AnswerRecord::txt(kSchemaVersionTtl, kSchemaVersion));
      } else {
        // A name with records of another type has no TXT; any other is NXDOMAIN.
        ok = records(c, name, zone_offset, found) && !found.empty();
      }
      break;
    }
    case type::kCNAME:
      ok = services(c, name, zone_offset, type::kCNAME, found);
      if (ok && !found.empty() && found.front().is_name)
        out.answer.push_back(AnswerRecord::pointer(type::kCNAME, settings_.ttl, AnswerRecord::kQuestion,
                                                   out.add_name(*found.front().target)));
      break;
    case type::kSRV: ok = srv(c); break;
    case type::kSOA:
      if (apex) add_soa(c, out.answer);
      break;
    case type::kAXFR:
    case type::kIXFR: out.outcome = ClusterAnswer::Outcome::refused; return;
    case type::kNS:
      if (apex) {
        name_server(c);
        break;
      }
      [[fallthrough]];
    default:
      // PTR, MX and the rest: no records here, only whether the name exists (an A lookup).
      ok = services(c, name, zone_offset, type::kA, found);
      break;
  }
  if (!ok) {
    out.answer.clear();
    out.extra.clear();
    out.external = -1;
    out.outcome = synced ? ClusterAnswer::Outcome::name_error : ClusterAnswer::Outcome::server_failure;
    add_soa(c, out.authority);
  } else if (out.answer.empty()) {
    add_soa(c, out.authority);
  }
}

void ClusterAnswers::reverse(const ClusterIndex::Reader& index, const Query& query,
                             ClusterAnswer& out) const {
  out.clear();
  out.outcome = ClusterAnswer::Outcome::forward;
  const auto ip = address_from_reverse(query.lower.wire());
  if (!ip) return;
  auto add = [&](std::initializer_list<std::string_view> labels) {
    Name n;
    for (auto l : labels) n.append_label(l);
    n.append_name(settings_.zone.wire());
    const bool dup = std::any_of(out.answer.begin(), out.answer.end(),
                                 [&](const AnswerRecord& r) { return out.names[r.target] == n; });
    if (!dup)
      out.answer.push_back(
          AnswerRecord::pointer(type::kPTR, settings_.ttl, AnswerRecord::kQuestion, out.add_name(n)));
  };
  // A cluster IP names its (first) service; else every ready endpoint at the address.
  if (const auto* keys = index.services_by_cluster_ip(*ip)) {
    if (const ServiceRecord* svc = index.service(keys->front())) add({svc->name, svc->ns, "svc"});
  } else if (const auto* keys = index.services_by_endpoint_ip(*ip)) {
    for (size_t i = 0; i < keys->size(); ++i) {
      const std::string& key = (*keys)[i];
      if (std::find(keys->begin(), keys->begin() + static_cast<ptrdiff_t>(i), key) != keys->begin() + i)
        continue;
      const std::string_view k = key;
      const std::string_view svc_name = k.substr(0, k.find('.')), ns = k.substr(k.find('.') + 1);
      if (const auto* slices = index.endpoints(key))
        for (const auto& [slice_name, set] : *slices)
          for (const auto& address : set.ready)
            if (address.ip == *ip) add({address.hostname, svc_name, ns, "svc"});
    }
  }
  if (!out.answer.empty()) out.outcome = ClusterAnswer::Outcome::answer;
}

// --- Writing ---------------------------------------------------------------------------

namespace {

std::span<const uint8_t> owner_of(const Query& q, const ClusterAnswer& a, int16_t owner) {
  if (owner == AnswerRecord::kQuestion) return q.qname.wire();
  if (owner == AnswerRecord::kZone) return q.qname.wire().subspan(a.zone_offset);
  return a.names[static_cast<size_t>(owner)].wire();
}

void write_record(MessageWriter& w, Section section, const Query& q, const ClusterAnswer& a,
                  const AnswerRecord& r) {
  // The question's name, or its zone part, is in the message already: a pointer to it.
  const bool in_question = r.owner == AnswerRecord::kQuestion || r.owner == AnswerRecord::kZone;
  const size_t at = w.question_name_offset() + (r.owner == AnswerRecord::kZone ? a.zone_offset : 0);
  const bool begun = in_question ? w.begin_at(section, static_cast<uint16_t>(at), r.type, kClassIN, r.ttl)
                                 : w.begin(section, owner_of(q, a, r.owner), r.type, kClassIN, r.ttl);
  if (!begun) return;
  switch (r.type) {
    case type::kA: w.put_bytes(v4_bytes(r.ip)); break;
    case type::kAAAA: w.put_bytes(r.ip.span()); break;
    case type::kCNAME:
    case type::kPTR:
    case type::kNS: w.put_name(a.names[static_cast<size_t>(r.target)].wire()); break;
    case type::kSRV:
      w.put16(r.priority);
      w.put16(r.weight);
      w.put16(r.port);
      w.put_name(a.names[static_cast<size_t>(r.target)].wire(), false);
      break;
    case type::kTXT: {
      const uint8_t len = static_cast<uint8_t>(std::min<size_t>(r.text.size(), 255));
      w.put_bytes({&len, 1});
      w.put_bytes({reinterpret_cast<const uint8_t*>(r.text.data()), len});
      break;
    }
    case type::kSOA: {
      const auto zone = owner_of(q, a, AnswerRecord::kZone);
      Name mname = *Name::from_text("ns.dns");
      mname.append_name(zone);
      Name rname = *Name::from_text("hostmaster");
      rname.append_name(zone);
      w.put_name(mname.wire());
      w.put_name(rname.wire());
      w.put32(r.serial);
      w.put32(7200);   // refresh
      w.put32(1800);   // retry
      w.put32(86400);  // expire
      w.put32(r.minimum);
      break;
    }
    default: break;
  }
  w.end();
}

}  // namespace

void write_cluster_answer(const Query& q, const ClusterAnswer& a, const Message* upstream, MessageWriter& w) {
  uint16_t flags = flag::kQR | static_cast<uint16_t>(q.opcode() << 11) | (q.flags & (flag::kRD | flag::kCD));
  uint16_t rc = rcode::kNoError;
  switch (a.outcome) {
    case ClusterAnswer::Outcome::name_error: rc = rcode::kNXDomain; break;
    case ClusterAnswer::Outcome::server_failure: rc = rcode::kServFail; break;
    case ClusterAnswer::Outcome::refused: rc = rcode::kRefused; break;
    default: break;
  }
  if (a.outcome != ClusterAnswer::Outcome::refused) flags |= flag::kAA;
  w.header(q.id, flags);
  w.set_rcode(rc);
  w.question(q.qname.wire(), q.qtype, q.qclass);
  for (const auto& r : a.answer) write_record(w, Section::answer, q, a, r);
  if (upstream)
    for (const auto& r : upstream->answer) w.record(Section::answer, r);
  for (const auto& r : a.authority) write_record(w, Section::authority, q, a, r);
  for (const auto& r : a.extra) write_record(w, Section::additional, q, a, r);
}

}  // namespace ukube::dns
