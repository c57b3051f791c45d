#pragma once

#include <stdexcept>
#include <string>

// Why an allocator could not hand out a value, worded as upstream's allocators word it
// ("provided IP is already allocated"). The admission plugin puts it into the Service's
// error with the field it concerns.
namespace ukube::admission::service_allocator {

class AllocationError : public std::runtime_error {
 public:
  enum class Kind {
    Allocated,          // the requested value is someone else's
    NotInRange,         // outside the range (a port), or its network or broadcast address (an IP)
    MismatchedNetwork,  // an IP in none of the Service CIDRs
    Full,               // nothing left to pick
  };
  AllocationError(Kind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  Kind kind() const { return kind_; }

 private:
  Kind kind_;
};

}  // namespace ukube::admission::service_allocator
