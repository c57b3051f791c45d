#pragma once

#include <chrono>
#include <string>

#include <boost/json/object.hpp>

#include "ukube/machinery/time.h"

// What the repair loop makes of what it finds, apart from how it finds it (upstream's
// repairip controller). Every Service cluster IP has an IPAddress naming the Service, and
// every IPAddress the allocator made names a Service holding its address. An IPAddress
// younger than the grace period may belong to a create still on its way to the store, so
// it is left alone until then.
namespace ukube::admission::service_allocator {

namespace json = boost::json;
using machinery::Clock;

struct Verdict {
  enum class Action {
    Keep,        // as it should be, or not the allocator's
    Delete,      // the IPAddress has leaked
    Create,      // the Service's address has no IPAddress
    Recreate,    // the address's IPAddress names something else that does not hold it
    Duplicate,   // another Service holds the address as well: a person must choose
    OutOfRange,  // the address is in no Service CIDR
    Wait,        // too young to judge; look again after `wait`
  };
  Action action = Action::Keep;
  std::chrono::seconds wait{0};
};

// The IPAddress's address, as its name and its parent Service's clusterIPs spell it.
bool holds(const json::object& service, const std::string& address);

// One IPAddress. `parent`: the Service its parentRef names, null when there is none.
// `given_up_at`: the resourceVersion of the last version of a Service that held the address
// and was deleted or changed to hold it no more, 0 when none is known. An IPAddress written
// before that (resourceVersion is the store's one revision) is no create in flight but
// that Service's own, and goes without the grace period: a deletion releases at once.
Verdict judge_ip_address(const json::object& ip_address, const json::object* parent, Clock::time_point now,
                         std::chrono::seconds grace, int64_t given_up_at = 0);

// One address of `service`. `ip_address`: its IPAddress, null when there is none; `other`:
// the Service that IPAddress names instead, when it names another one that exists.
Verdict judge_service_ip(const json::object& service, const std::string& address, bool in_range,
                         const json::object* ip_address, const json::object* other, Clock::time_point now,
                         std::chrono::seconds grace);

}  // namespace ukube::admission::service_allocator
