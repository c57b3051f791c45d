#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

// HTTP GETs with libcurl, as the registry client needs them: redirects followed (without
// the credentials when they lead to another host), bodies kept or streamed.
namespace ukube::images {

struct HttpResponse {
  long status = 0;
  std::map<std::string, std::string> headers;  // names lowercased; the final response's
  std::string body;                            // kept unless streamed (then only on errors)
  std::string error;                           // set when no response came at all
};

// `sink` (when given) receives the body of a 200 answer as it arrives.
HttpResponse http_get(const std::string& url, const std::vector<std::string>& headers,
                      const std::function<void(const char* data, size_t size)>& sink = {});

// "a b" → "a%20b", for query parameters.
std::string url_escape(const std::string& text);

}  // namespace ukube::images
