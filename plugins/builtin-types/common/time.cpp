#include "common/time.h"

#include "common/json.h"

namespace ukube::builtin {

std::string age_cell(const json::object& object, Clock::time_point now) {
  return age_since(string_at(object, {"metadata", "creationTimestamp"}), now);
}

}  // namespace ukube::builtin
