#include "service_admission.h"

#include <algorithm>
#include <map>
#include <set>

#include <boost/json.hpp>

#include "allocation_error.h"
#include "service_spec.h"
#include "ukube/machinery/names.h"

namespace ukube::admission::service_allocator {

using machinery::int_or;

namespace {

const GroupVersionKind kServiceKind{"", "v1", "Service"};

ApiError invalid_service(const json::object& service, const std::string& field, const std::string& shown,
                         const std::string& detail) {
  return ApiError::invalid(kServiceKind, name_of(service), {invalid_field(field, shown, detail)});
}

// One request's allocations: what it asks for, and what it took so far, given back when a
// later step of the same request fails.
class Allocation {
 public:
  Allocation(json::object& service, const json::object* old, bool dry_run, ClusterIPAllocator& ips,
             NodePortAllocator& ports)
      : service_(service), old_(old), dry_run_(dry_run), ips_(ips), ports_(ports) {
    claim_.service = service_key(service);
    claim_.uid = uid_of(old ? *old : service);
    claim_.base_revision = old ? revision_of(*old) : 0;
  }

  void run() {
    try {
      cluster_ips();
      node_ports();
      health_check_node_port();
    } catch (...) {
      give_back();
      throw;
    }
  }

 private:
  void give_back() {
    for (const auto& ip : taken_ips_) ips_.release(ip, service_);
    for (int port : taken_ports_) ports_.release(port, claim_);
  }

  // The addresses of the families that have none yet: all of them on a create or a change
  // from ExternalName, the secondary one when an update makes the Service dual-stack.
  void cluster_ips() {
    if (!needs_cluster_ip(service_) || is_headless(service_)) return;
    if (old_ && needs_cluster_ip(*old_) && is_headless(*old_)) return;
    const size_t have = old_ && needs_cluster_ip(*old_) ? service_allocator::cluster_ips(*old_).size() : 0;
    const auto families = machinery::strings_at(service_, {"spec", "ipFamilies"});
    auto ips = service_allocator::cluster_ips(service_);
    const auto asked = ips;
    for (size_t i = have; i < families.size(); ++i) {
      if (i < ips.size() && !ips[i].empty()) {
        const auto requested = IPAddress::parse(ips[i]);  // the type's validation passed
        try {
          ips_.allocate(service_, *requested, dry_run_);
        } catch (const AllocationError& e) {
          throw invalid_service(service_, "spec.clusterIPs", machinery::go_strings(asked),
                                "failed to allocate IP " + ips[i] + ": " + e.what());
        }
        if (!dry_run_) taken_ips_.push_back(*requested);
        continue;
      }
      const IPFamily family = families[i] == "IPv6" ? IPFamily::IPv6 : IPFamily::IPv4;
      IPAddress picked;
      try {
        picked = ips_.allocate_next(service_, family, dry_run_);
      } catch (const AllocationError& e) {
        throw ApiError::internal(std::string("failed to allocate a serviceIP: ") + e.what());
      }
      if (!dry_run_) taken_ips_.push_back(picked);
      if (i < ips.size())
        ips[i] = picked.to_string();
      else
        ips.push_back(picked.to_string());
    }
    if (ips.empty()) return;
    auto& spec = child(service_, "spec");
    json::array list;
    for (const auto& ip : ips) list.emplace_back(ip);
    spec["clusterIPs"] = std::move(list);
    spec["clusterIP"] = ips.front();
  }

  int take(int port, size_t index) {
    const std::string field = "spec.ports[" + std::to_string(index) + "].nodePort";
    if (std::find(taken_ports_.begin(), taken_ports_.end(), port) != taken_ports_.end())
      throw invalid_service(service_, field, std::to_string(port), "provided port is already allocated");
    try {
      ports_.allocate(port, claim_, dry_run_);
    } catch (const AllocationError& e) {
      throw invalid_service(service_, field, std::to_string(port), e.what());
    }
    if (!dry_run_) taken_ports_.push_back(port);
    return port;
  }

  int take_next() {
    int port = 0;
    try {
      port = ports_.allocate_next(claim_, dry_run_);
    } catch (const AllocationError& e) {
      throw ApiError::internal(std::string("failed to allocate a nodePort: ") + e.what());
    }
    if (!dry_run_) taken_ports_.push_back(port);
    return port;
  }

  // Upstream's initNodePorts (create) and updateNodePorts (update): a port without a
  // nodePort gets one unless the type says otherwise; on a create, ports of one number
  // (TCP and UDP) share theirs; on an update, a node port the Service held stays its own.
  void node_ports() {
    if (!needs_node_ports(service_)) return;
    const bool allocates = allocates_node_ports(service_);
    json::array* ports = machinery::mutable_array(child(service_, "spec"), "ports");
    if (!ports) return;
    std::set<int> held;
    if (old_ && needs_node_ports(*old_))
      for (int port : service_allocator::node_ports(*old_, false)) held.insert(port);
    std::map<int64_t, int> by_number;  // create: service port -> its node port
    std::set<int> taken_here;
    for (size_t i = 0; i < ports->size(); ++i) {
      auto* p = (*ports)[i].if_object();
      if (!p) continue;
      int node_port = static_cast<int>(int_or(*p, {"nodePort"}, 0));
      if (node_port == 0 && !allocates) continue;
      if (old_) {
        if (node_port == 0)
          node_port = take_next();
        else if (!held.count(node_port) && taken_here.insert(node_port).second)
          take(node_port, i);
        (*p)["nodePort"] = node_port;
        continue;
      }
      const int64_t number = int_or(*p, {"port"}, 0);
      auto shared = by_number.find(number);
      if (shared == by_number.end()) {
        int requested = 0;
        for (const auto& other : *ports)
          if (const auto* o = other.if_object(); o && requested == 0 && int_or(*o, {"port"}, 0) == number)
            requested = static_cast<int>(int_or(*o, {"nodePort"}, 0));
        node_port = requested ? take(requested, i) : take_next();
        by_number[number] = node_port;
      } else if (node_port == 0) {
        node_port = shared->second;
      } else if (node_port != shared->second) {
        take(node_port, i);
      }
      (*p)["nodePort"] = node_port;
    }
  }

  void health_check_node_port() {
    const bool needs = needs_health_check_node_port(service_);
    const bool needed = old_ && needs_health_check_node_port(*old_);
    if (!needs) return;
    auto& spec = child(service_, "spec");
    const int port = static_cast<int>(int_or(spec, {"healthCheckNodePort"}, 0));
    if (needed) {
      if (port != int_or(*old_, {"spec", "healthCheckNodePort"}, 0))
        throw invalid_service(
            service_, "spec.healthCheckNodePort", std::to_string(port),
            "cannot change healthCheckNodePort on loadBalancer service with externalTraffic=Local during "
            "update");
      return;
    }
    if (port != 0) {
      try {
        if (std::find(taken_ports_.begin(), taken_ports_.end(), port) != taken_ports_.end())
          throw AllocationError(AllocationError::Kind::Allocated, "provided port is already allocated");
        ports_.allocate(port, claim_, dry_run_);
      } catch (const AllocationError& e) {
        throw ApiError::internal("failed to allocate requested HealthCheck NodePort " + std::to_string(port) +
                                 ": " + e.what());
      }
      if (!dry_run_) taken_ports_.push_back(port);
      return;
    }
    try {
      spec["healthCheckNodePort"] = ports_.allocate_next(claim_, dry_run_);
    } catch (const AllocationError& e) {
      throw ApiError::internal(std::string("failed to allocate a HealthCheck NodePort 0: ") + e.what());
    }
    if (!dry_run_) taken_ports_.push_back(static_cast<int>(int_or(spec, {"healthCheckNodePort"}, 0)));
  }

  json::object& service_;
  const json::object* old_;
  bool dry_run_;
  ClusterIPAllocator& ips_;
  NodePortAllocator& ports_;
  PortClaim claim_;
  std::vector<IPAddress> taken_ips_;
  std::vector<int> taken_ports_;
};

}  // namespace

ServiceAllocation::ServiceAllocation(std::shared_ptr<Client> client, std::shared_ptr<ClusterIPAllocator> ips,
                                     std::shared_ptr<NodePortAllocator> ports, std::function<bool()> ready)
    : client_(std::move(client)), ips_(std::move(ips)), ports_(std::move(ports)), ready_(std::move(ready)) {}

bool ServiceAllocation::will_be_refused(const AdmissionRequest& r) const {
  // The name rule the kernel checks and the type's own checks on a defaulted copy: what
  // they refuse is reported by the pipeline in a moment, and must not cost an address
  // meanwhile.
  if (!machinery::dns1123_subdomain_errors(name_of(*r.object)).empty()) return true;
  json::object copy = *r.object;
  for (const auto& d : r.type->defaulters) d(copy);
  std::vector<FieldError> errors;
  for (const auto& v : r.type->validators) v(copy, r.old_object, errors);
  if (!errors.empty()) return true;
  if (r.operation != AdmissionOperation::Create || r.dry_run) return false;
  try {
    client_->get(kServices, r.namespace_, name_of(*r.object));
    return true;  // the store answers AlreadyExists
  } catch (const ApiError& e) {
    if (!is_not_found(e)) throw;
  }
  return false;
}

void ServiceAllocation::admit(AdmissionRequest& r) {
  if (!is_resource(r, "", "services") || !r.object) return;
  const bool create = r.operation == AdmissionOperation::Create;
  if (!create && !(r.operation == AdmissionOperation::Update && r.old_object)) return;
  json::object& service = *r.object;
  const json::object* old = create ? nullptr : r.old_object;
  if (old) {
    patch_allocated_values(service, *old);
    drop_type_dependent_fields(service, *old);
  }
  normalize_cluster_ips(service, old);
  if (will_be_refused(r)) return;
  // Node ports in use are read from the Service cache: judging by an empty one could hand
  // out a port some Service holds.
  if (ready_ && !ready_()) throw ApiError::internal("failed to allocate a serviceIP: allocator not ready");
  init_ip_family_fields(service, old, ips_->families());
  Allocation(service, old, r.dry_run, *ips_, *ports_).run();
}

}  // namespace ukube::admission::service_allocator
