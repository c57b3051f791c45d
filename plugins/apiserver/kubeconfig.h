#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "ukube/pki.h"

namespace ukube::apiserver {

// The URL a local client uses to reach a server listening on host:port (a wildcard
// listen address is reached through loopback).
std::string local_server_url(const std::string& listen_host, uint16_t port, bool tls = false);

// Replaces `file` atomically with mode 0600 from the start. Throws std::runtime_error
// naming the file.
void write_kubeconfig(const std::filesystem::path& file, const std::string& server_url,
                      const pki::KubeconfigCredentials& credentials = {});

}  // namespace ukube::apiserver
