#pragma once

#include "ukube/https/transport.h"

// The real transport: libcurl over HTTPS, verifying the peer against the webhook's
// caBundle (CURLOPT_CAINFO_BLOB) and its host name, with the webhook's timeout.
namespace ukube::https {

class CurlTransport final : public Transport {
 public:
  CurlTransport();
  ~CurlTransport() override;
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  HttpResult post(const HttpCall& call) override;
};

}  // namespace ukube::https
