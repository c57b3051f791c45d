#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "cluster_index.h"
#include "wire.h"

// The answers of CoreDNS's kubernetes plugin (plugin/kubernetes: handler.go, kubernetes.go,
// parse.go, reverse.go, ns.go, with plugin/backend_lookup.go) for the cluster zone and for
// PTR queries in the reverse zones, computed from the ClusterIndex into a reusable
// ClusterAnswer and then written as a message. Upstream's rules, kept here:
//  - <svc>.<ns>.svc.<zone> A/AAAA: the cluster IPs; headless: the ready endpoints' addresses
//    (NXDOMAIN when there are none); <host>.<svc>.<ns>.svc.<zone>: that endpoint's; an
//    ExternalName: a CNAME, followed inside the zone or resolved upstream;
//  - SRV _<port>._<proto>.<svc>.<ns>.svc.<zone> (and <svc>.<ns>.svc.<zone> for every port):
//    the service's name (headless: each endpoint's) as target with weight 100/n, the
//    targets' addresses in the additional section;
//  - <a-b-c-d>.<ns>.pod.<zone> A per `pods` mode (disabled: NXDOMAIN, insecure: any address
//    the name spells, verified: only a pod's);
//  - PTR for cluster IPs (the first service) and ready endpoint addresses;
//  - dns-version.<zone> TXT "1.1.0"; SOA and NS at the apex;
//  - a name that does not exist is NXDOMAIN, one that exists without the asked type NOERROR
//    with no answer, both with the zone's SOA (ns.dns.<zone>. hostmaster.<zone>. <serial>
//    7200 1800 86400 <ttl>) in the authority section; SERVFAIL instead of NXDOMAIN before
//    the informers have listed.
namespace ukube::dns {

enum class PodMode { disabled, insecure, verified };

inline constexpr std::string_view kSchemaVersion = "1.1.0";  // the Kubernetes DNS specification's
inline constexpr uint32_t kSchemaVersionTtl = 28800;

struct AnswerRecord {
  static constexpr int16_t kQuestion = -1;  // the question's name, as the client wrote it
  static constexpr int16_t kZone = -2;      // the zone's part of the question's name
  uint16_t type = 0;
  uint32_t ttl = 0;
  int16_t owner = kQuestion;                    // else an index into ClusterAnswer::names
  IpAddress ip;                                 // A, AAAA
  int16_t target = -1;                          // CNAME, PTR, NS, SRV: an index into names
  uint16_t priority = 0, weight = 0, port = 0;  // SRV
  uint32_t serial = 0, minimum = 0;             // SOA
  std::string_view text;                        // TXT

  static AnswerRecord address(uint16_t type, uint32_t ttl, int16_t owner, const IpAddress& ip) {
    AnswerRecord r = make(type, ttl, owner);
    r.ip = ip;
    return r;
  }
  // CNAME, PTR, NS.
  static AnswerRecord pointer(uint16_t type, uint32_t ttl, int16_t owner, int16_t target) {
    AnswerRecord r = make(type, ttl, owner);
    r.target = target;
    return r;
  }
  static AnswerRecord srv(uint32_t ttl, int16_t target, uint16_t weight, uint16_t port) {
    AnswerRecord r = make(33, ttl, kQuestion);
    r.target = target;
    r.weight = weight;
    r.port = port;
    return r;
  }
  static AnswerRecord soa(uint32_t ttl, uint32_t serial, uint32_t minimum) {
    AnswerRecord r = make(6, ttl, kZone);
    r.serial = serial;
    r.minimum = minimum;
    return r;
  }
  static AnswerRecord txt(uint32_t ttl, std::string_view text) {
    AnswerRecord r = make(16, ttl, kQuestion);
    r.text = text;
    return r;
  }

 private:
  static AnswerRecord make(uint16_t type, uint32_t ttl, int16_t owner) {
    AnswerRecord r;
    r.type = type;
    r.ttl = ttl;
    r.owner = owner;
    return r;
  }
};

struct ClusterAnswer {
  enum class Outcome {
    answer,          // NOERROR, the records below (none: NODATA)
    name_error,      // NXDOMAIN
    server_failure,  // SERVFAIL
    refused,         // REFUSED (zone transfers)
    forward,         // not the cluster's to answer: ask upstream
  };
  Outcome outcome = Outcome::answer;
  std::vector<AnswerRecord> answer, authority, extra;
  std::vector<Name> names;
  // An ExternalName's target outside the zone, ending the CNAME chain: its records of the
  // question's type come from upstream, after the answer's.
  int16_t external = -1;
  size_t zone_offset = 0;  // where the zone's labels start in the question's name
  AnswerRecord soa;        // the zone's SOA, for the authority section of a negative answer

  void clear();
  // No upstream answered for the external target: as CoreDNS, the CNAMEs leading there go
  // too, and the answer is NODATA.
  void external_failed();
  int16_t add_name(const Name& name);
  const Name* name(int16_t index) const { return index >= 0 ? &names[static_cast<size_t>(index)] : nullptr; }
};

class ClusterAnswers {
 public:
  struct Settings {
    Name zone;  // lower-cased
    uint32_t ttl = 5;
    PodMode pods = PodMode::insecure;
    // The name server's addresses for NS answers when there is no kube-system/kube-dns
    // Service: the addresses this server listens on.
    std::vector<IpAddress> own_addresses;
  };
  explicit ClusterAnswers(Settings settings);
  const Settings& settings() const { return settings_; }

  // A query whose name is in the zone (`zone_offset`: where the zone starts in it).
  void answer(const ClusterIndex::Reader& index, bool synced, uint32_t serial, const Query& query,
              size_t zone_offset, ClusterAnswer& out) const;
  // A PTR query under in-addr.arpa or ip6.arpa: the cluster's names for the address, or
  // Outcome::forward when it has none (CoreDNS's `fallthrough in-addr.arpa ip6.arpa`).
  void reverse(const ClusterIndex::Reader& index, const Query& query, ClusterAnswer& out) const;

 private:
  struct Context;
  struct Found;
  // Each returns false for a name that does not exist (NXDOMAIN).
  bool services(Context& c, std::span<const uint8_t> name, size_t zone_offset, uint16_t qtype,
                std::vector<Found>& found) const;
  bool records(Context& c, std::span<const uint8_t> name, size_t zone_offset,
               std::vector<Found>& found) const;
  bool addresses(Context& c, std::span<const uint8_t> name, int16_t owner, uint16_t qtype, int depth) const;
  bool srv(Context& c) const;
  void name_server(Context& c) const;
  // The name server's addresses into `ips`; its name (an index into the answer's names).
  int16_t name_server_addresses(Context& c, std::vector<IpAddress>& ips) const;
  void add_soa(Context& c, std::vector<AnswerRecord>& section) const;
  int16_t key_name(Context& c, const Found& f) const;

  Settings settings_;
  Name ns_dns_zone_;  // ns.dns.<zone>
};

// Writes `answer` to `query` (header, question, sections, the SOA); `upstream`, when set,
// holds the answers for the external CNAME target.
void write_cluster_answer(const Query& query, const ClusterAnswer& answer, const Message* upstream,
                          MessageWriter& writer);

}  // namespace ukube::dns
