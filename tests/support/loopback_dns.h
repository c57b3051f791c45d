#pragma once

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <resolv.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/loopback_socket.h"

// DNS over loopback for tests and benchmarks that run the daemon, independent of the DNS
// plugin's own code: questions asked through glibc's resolver (libresolv, which also retries
// over TCP when an answer is truncated), and a tiny upstream resolver on 127.0.0.1 answering
// every A question with one address. Nothing here talks to any other address.
namespace ukube::testing {

struct DnsReply {
  bool answered = false;  // false: no reply (timeout) or no server
  int rcode = -1;         // 0 NOERROR, 3 NXDOMAIN, ...
  // Each answer record as text: "A 10.43.0.50", "SRV 0 100 80 web.default.svc.cluster.local",
  // "PTR web.default.svc.cluster.local", "CNAME www.example.com".
  std::vector<std::string> records;
  bool authoritative = false;
};

// Asks the DNS server at 127.0.0.1:`port` for `name` (class IN, `type` from
// arpa/nameser.h: ns_t_a, ns_t_srv, ns_t_ptr ...).
inline DnsReply loopback_query(uint16_t port, const std::string& name, int type) {
  DnsReply out;
  struct __res_state state;
  std::memset(&state, 0, sizeof state);
  if (res_ninit(&state) != 0) return out;
  state.nscount = 1;
  state.nsaddr_list[0].sin_family = AF_INET;
  state.nsaddr_list[0].sin_port = htons(port);
  state.nsaddr_list[0].sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  state._u._ext.nscount = 0;
  state.retrans = 2;
  state.retry = 2;
  state.options &= ~(RES_DNSRCH | RES_DEFNAMES);
  std::vector<unsigned char> answer(65535);
  const int n =
      res_nquery(&state, name.c_str(), ns_c_in, type, answer.data(), static_cast<int>(answer.size()));
  const int herr = state.res_h_errno;
  res_nclose(&state);
  if (n < 0) {
    // libresolv hides the rcode of failed answers behind h_errno.
    if (herr == HOST_NOT_FOUND)
      out = {true, ns_r_nxdomain, {}, false};
    else if (herr == NO_DATA)
      out = {true, ns_r_noerror, {}, false};
    else if (herr == TRY_AGAIN)
      out = {true, ns_r_servfail, {}, false};
    return out;
  }
  ns_msg msg;
  if (ns_initparse(answer.data(), n, &msg) != 0) return out;
  out.answered = true;
  out.rcode = ns_msg_getflag(msg, ns_f_rcode);
  out.authoritative = ns_msg_getflag(msg, ns_f_aa);
  for (int i = 0; i < ns_msg_count(msg, ns_s_an); ++i) {
    ns_rr rr;
    if (ns_parserr(&msg, ns_s_an, i, &rr) != 0) continue;
    char text[NS_MAXDNAME];
    const unsigned char* rdata = ns_rr_rdata(rr);
    switch (ns_rr_type(rr)) {
      case ns_t_a:
        inet_ntop(AF_INET, rdata, text, sizeof text);
        out.records.push_back(std::string("A ") + text);
        break;
      case ns_t_aaaa:
        inet_ntop(AF_INET6, rdata, text, sizeof text);
        out.records.push_back(std::string("AAAA ") + text);
        break;
      case ns_t_srv:
        if (dn_expand(ns_msg_base(msg), ns_msg_end(msg), rdata + 6, text, sizeof text) >= 0)
          out.records.push_back("SRV " + std::to_string(ns_get16(rdata)) + " " +
                                std::to_string(ns_get16(rdata + 2)) + " " +
                                std::to_string(ns_get16(rdata + 4)) + " " + text);
        break;
      case ns_t_ptr:
      case ns_t_cname:
        if (dn_expand(ns_msg_base(msg), ns_msg_end(msg), rdata, text, sizeof text) >= 0)
          out.records.push_back(std::string(ns_rr_type(rr) == ns_t_ptr ? "PTR " : "CNAME ") + text);
        break;
      default: out.records.push_back("type " + std::to_string(ns_rr_type(rr))); break;
    }
  }
  return out;
}

// An upstream resolver on 127.0.0.1 (UDP): every question gets one A record, `address`
// with `ttl`; other types an empty NOERROR. Counts what it was asked.
class StaticUpstream {
 public:
  explicit StaticUpstream(std::string address = "192.0.2.10", uint32_t ttl = 300)
      : ttl_(ttl), fd_(bind_loopback(SOCK_DGRAM, port_)) {
    inet_pton(AF_INET, address.c_str(), address_);
    thread_ = std::thread([this] { run(); });
  }
  ~StaticUpstream() {
    stop_ = true;
    thread_.join();
    close(fd_);
  }
  uint16_t port() const { return port_; }
  int queries() const { return queries_; }

 private:
  void run() {
    unsigned char buf[4096];
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 20) != 1) continue;
      sockaddr_in from{};
      socklen_t len = sizeof from;
      const ssize_t n = recvfrom(fd_, buf, sizeof buf - 64, 0, reinterpret_cast<sockaddr*>(&from), &len);
      if (n < 12) continue;
      ++queries_;
      // The question ends after its name and 4 bytes; the reply is header, question, answer.
      size_t end = 12;
      while (end < static_cast<size_t>(n) && buf[end] != 0) end += 1 + buf[end];
      end += 5;
      if (end > static_cast<size_t>(n)) continue;
      const bool is_a = buf[end - 4] == 0 && buf[end - 3] == 1;
      buf[2] = static_cast<unsigned char>(0x80 | (buf[2] & 0x01));  // QR, RD as asked
      buf[3] = 0x80;                                                // RA, NOERROR
      buf[4] = 0, buf[5] = 1, buf[6] = 0, buf[7] = is_a ? 1 : 0;
      buf[8] = buf[9] = buf[10] = buf[11] = 0;
      if (is_a) {
        const unsigned char rr[] = {0xC0,
                                    0x0C,
                                    0,
                                    1,
                                    0,
                                    1,
                                    static_cast<unsigned char>(ttl_ >> 24),
                                    static_cast<unsigned char>(ttl_ >> 16),
                                    static_cast<unsigned char>(ttl_ >> 8),
                                    static_cast<unsigned char>(ttl_),
                                    0,
                                    4};
        std::memcpy(buf + end, rr, sizeof rr);
        std::memcpy(buf + end + sizeof rr, address_, 4);
        end += sizeof rr + 4;
      }
      sendto(fd_, buf, end, 0, reinterpret_cast<sockaddr*>(&from), len);
    }
  }

  uint32_t ttl_;
  uint16_t port_ = 0;
  int fd_;
  unsigned char address_[4] = {};
  std::atomic<bool> stop_{false};
  std::atomic<int> queries_{0};
  std::thread thread_;
};

}  // namespace ukube::testing
