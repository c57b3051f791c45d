#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace ukube::apiserver {

// The URL a local client uses to reach a server listening on host:port (a wildcard
// listen address is reached through loopback).
std::string local_server_url(const std::string& listen_host, uint16_t port, bool tls = false);

// An admin kubeconfig with one cluster, user and context, all named "ukube".
std::string kubeconfig_yaml(const std::string& server_url);

// Replaces `file` atomically with mode 0600 from the start (credentials go in here once
// TLS lands). Throws std::runtime_error naming the file.
void write_kubeconfig(const std::filesystem::path& file, const std::string& server_url);

}  // namespace ukube::apiserver
