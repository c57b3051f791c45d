#pragma once

#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

// What tests of pod networking share: whether this machine can run them, shell commands
// with their output, and removing what the CNI plugins left on the host (a bridge, NAT
// rules) even when a test failed. Every test names its own bridge and pod CIDR (inside
// 10.42.0.0/16, never the default cni0 / 10.42.0.0/24), so nothing of a running node is touched.
namespace ukube::testing {

// Why pod networks cannot be made here ("" when they can).
inline std::string pod_network_unavailable() {
  if (::geteuid() != 0) return "pod networking needs root (CI runs this as root)";
  for (const char* plugin : {"bridge", "host-local", "loopback", "portmap"})
    if (::access((std::string("/usr/lib/cni/") + plugin).c_str(), X_OK) != 0)
      return "the CNI plugins are not installed (packaging/install-deps.sh installs "
             "containernetworking-plugins)";
  const bool has_ip = ::access("/usr/bin/ip", X_OK) == 0 || ::access("/usr/sbin/ip", X_OK) == 0;
  if (::access("/usr/sbin/iptables", X_OK) != 0 || !has_ip)
    return "iptables or iproute2 is missing (packaging/install-deps.sh installs them)";
  if (!std::filesystem::exists("/bin/busybox")) return "busybox-static is not installed";
  return {};
}

struct ShellResult {
  int status = 0;
  std::string out;  // stdout and stderr
  bool ok() const { return status == 0; }
};

inline ShellResult shell(const std::string& command) {
  ShellResult r;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return {-1, "popen failed"};
  std::array<char, 4096> buffer{};
  size_t n;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) r.out.append(buffer.data(), n);
  r.status = ::pclose(pipe);
  return r;
}

// The NAT rules the bridge plugin's ipMasq made for network `network_name` (each names it
// in a comment), with their chains.
inline void remove_masquerade_rules(const std::string& network_name) {
  std::istringstream rules(shell("iptables -t nat -S POSTROUTING").out);
  for (std::string rule; std::getline(rules, rule);) {
    // The rule's comment reads name: \"<network>\" id: \"<sandbox>\" in -S output.
    if (rule.find("\\\"" + network_name + "\\\"") == std::string::npos) continue;
    const auto jump = rule.find(" -j ");
    const std::string chain = jump == std::string::npos ? "" : rule.substr(jump + 4);
    shell("iptables -t nat " + rule.replace(0, 2, "-D"));
    if (chain.starts_with("CNI-")) shell("iptables -t nat -F " + chain + "; iptables -t nat -X " + chain);
  }
}

// The portmap plugin's chains (CNI-HOSTPORT-*) and the jumps to them outlive its last port
// mapping; they go once no mapping is left in them.
inline void remove_portmap_chains() {
  for (const std::string tool : {"iptables", "ip6tables"}) {
    const std::string nat = tool + " -t nat ";
    if (shell(nat + "-S CNI-HOSTPORT-DNAT").out.find("-A CNI-HOSTPORT-DNAT") != std::string::npos) continue;
    std::istringstream rules(shell(nat + "-S").out);
    for (std::string rule; std::getline(rules, rule);)
      if (rule.starts_with("-A ") && rule.find(" -j CNI-HOSTPORT-") != std::string::npos &&
          rule.find("-A CNI-HOSTPORT-") == std::string::npos)
        shell(nat + rule.replace(0, 2, "-D"));
    for (const char* chain : {"CNI-HOSTPORT-SETMARK", "CNI-HOSTPORT-MASQ", "CNI-HOSTPORT-DNAT"})
      shell(nat + "-F " + chain + "; " + nat + "-X " + chain);
  }
}

// Removes a test's bridge and the NAT rules of its network, and iptables' nat tables when
// those rules were all they held (iptables made them for them).
inline void remove_pod_network(const std::string& bridge, const std::string& network_name) {
  shell("ip link del " + bridge);
  remove_masquerade_rules(network_name);
  remove_portmap_chains();
  for (const std::string family : {"ip", "ip6"}) {
    const std::string left =
        shell((family == "ip" ? "iptables" : "ip6tables") + std::string(" -t nat -S")).out;
    if (left.find("-A ") == std::string::npos && left.find("-N ") == std::string::npos)
      shell("nft delete table " + family + " nat");
  }
}

// A network namespace made with `ip netns add`, deleted with the object.
class TestNetns {
 public:
  explicit TestNetns(std::string name) : name_(std::move(name)) {
    shell("ip netns del " + name_);
    shell("ip netns add " + name_);
  }
  ~TestNetns() { shell("ip netns del " + name_); }
  TestNetns(const TestNetns&) = delete;
  TestNetns& operator=(const TestNetns&) = delete;
  const std::string& name() const { return name_; }
  std::string path() const { return "/run/netns/" + name_; }
  ShellResult exec(const std::string& command) const {
    return shell("ip netns exec " + name_ + " " + command);
  }

 private:
  std::string name_;
};

// Joins `node` and `pod` as a node and one of its pods: a veth pair named `veth` on the
// node's side and eth0 in the pod, <subnet>.1 and <subnet>.2 (/24), loopback up in both,
// the pod's default route via the node, and the node's default route towards the pod (where
// a node's default route would take service addresses). False when the pair was not made.
inline bool join_node_and_pod(const TestNetns& node, const TestNetns& pod, const std::string& veth,
                              const std::string& subnet) {
  if (!shell("ip -n " + node.name() + " link add " + veth + " type veth peer name eth0 netns " + pod.name())
           .ok())
    return false;
  node.exec("ip addr add " + subnet + ".1/24 dev " + veth);
  node.exec("ip link set " + veth + " up");
  node.exec("ip link set lo up");
  node.exec("ip route add default dev " + veth);
  pod.exec("ip addr add " + subnet + ".2/24 dev eth0");
  pod.exec("ip link set eth0 up");
  pod.exec("ip link set lo up");
  pod.exec("ip route add default via " + subnet + ".1");
  return true;
}

}  // namespace ukube::testing
