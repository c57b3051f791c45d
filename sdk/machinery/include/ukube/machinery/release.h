#pragma once

// The Kubernetes release this build speaks, reported by the API server (/version) and by
// every kubelet (status.nodeInfo.kubeletVersion). kubectl warns when its minor version is
// more than one away, so this sits in the middle of the 1.31–1.33 clients we test.
namespace ukube::machinery {

inline constexpr const char* kKubeMajor = "1";
inline constexpr const char* kKubeMinor = "32";
// Semver with build metadata, as distributions mark their builds (v1.32.0+k3s1).
inline constexpr const char* kGitVersion = "v1.32.0+ukube";

}  // namespace ukube::machinery
