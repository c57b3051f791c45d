#pragma once

#include <string>
#include <string_view>

// What upstream answers when a JSON body cannot even be read for its apiVersion and kind:
// its decoder runs Go's encoding/json over the body first, so clients see Go's words.
namespace ukube::apiserver {

// Go's json.Unmarshal error for `text`, as its scanner words it ("invalid character 'a'
// looking for beginning of value", "unexpected end of JSON input"), or "" when the text
// is well-formed JSON.
std::string go_json_syntax_error(std::string_view text);

// The whole message for a request body that had to be a `kind` and whose JSON (`json`: the
// body itself, or what its YAML became) is not an object: "the object provided is
// unrecognized (must be of type Namespace): couldn't get version/kind; json parse error:
// ... (<the body's first 30 bytes>)". "" when `json` is an object (or null, which Go
// decodes into an empty one).
std::string unrecognized_body_message(std::string_view json, std::string_view body, std::string_view kind);

}  // namespace ukube::apiserver
