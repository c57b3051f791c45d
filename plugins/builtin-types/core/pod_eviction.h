#pragma once

#include <memory>

#include "ukube/types.h"

namespace ukube {
class Client;
}

namespace ukube::builtin {

// POST pods/<name>/eviction (a policy/v1 Eviction): deletes the pod unless the one
// PodDisruptionBudget covering it allows no disruption right now, which answers 429 as
// upstream's eviction subresource does. `client` acts as the API server itself: it reads
// and decrements the budget and deletes the pod whoever asked.
SubresourceAnswer pod_eviction(std::shared_ptr<Client> client);

}  // namespace ukube::builtin
