#pragma once

#include <cstdint>
#include <string>

#include "ukube/client.h"

// The kube-system/kube-dns Service the cluster DNS is published as, like the Service
// kubeadm and k3s make for CoreDNS: a cluster IP (the pods' nameserver) with port 53 over
// UDP and TCP, and an EndpointSlice of its own leading to where this server listens. The
// Service has no selector, so the endpoint controllers leave the slice alone.
namespace ukube::dns {

// Creates both, or brings them up to date. Throws ApiError on a refused write.
void publish_dns_service(Client& client, const std::string& cluster_ip, const std::string& address,
                         uint16_t port);

}  // namespace ukube::dns
