#include "ukube/controller/informers.h"

#include <stdexcept>

namespace ukube::controller {

void wait_for_sync(const std::vector<const Informer*>& informers, std::chrono::seconds timeout,
                   const std::string& what, const std::string& consequence) {
  for (const auto* informer : informers)
    if (!informer->wait_for_sync(timeout))
      throw std::runtime_error("could not list " + what + " within " + std::to_string(timeout.count()) + "s" +
                               (consequence.empty() ? "" : "; " + consequence));
}

}  // namespace ukube::controller
