package devauth

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/ory/fosite"
)

// clientFacing is err as a client may see it. fosite sends the RFC 6749
// error and its hint, never the debug detail; a failed client lookup gets
// its own words back as the hint, since fosite's generic "does not exist"
// would hide why.
func clientFacing(err error) error {
	var ce *clientError
	if errors.As(err, &ce) {
		return fosite.ErrInvalidClient.WithHint(ce.public).WithWrap(ce).WithDebug(ce.Error())
	}
	return err
}

// debugDetail is what went wrong inside, for the log: fosite's debug
// message, or the wrapped cause.
func debugDetail(rfc *fosite.RFC6749Error) string {
	if d := rfc.Debug(); d != "" {
		return d
	}
	if c := rfc.Cause(); c != nil {
		return c.Error()
	}
	return ""
}

// tooLarge reports whether err comes from a body over its
// http.MaxBytesReader limit.
func tooLarge(err error) bool {
	var mbe *http.MaxBytesError
	return errors.As(err, &mbe)
}

// describeJSONError says in a client's terms why a JSON body could not be
// decoded into client metadata, without Go type names.
func describeJSONError(err error) string {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case tooLarge(err):
		return fmt.Sprintf("the body is larger than %d KiB", maxMetadataBytes>>10)
	case errors.Is(err, io.EOF):
		return "the body is empty; send the client metadata as a JSON object"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "the body is not valid JSON: it ends too early"
	case errors.As(err, &syntax):
		return fmt.Sprintf("the body is not valid JSON (at byte %d)", syntax.Offset)
	case errors.As(err, &typ) && typ.Field != "":
		return fmt.Sprintf("%s has the wrong JSON type (a %s); see RFC 7591 section 2", typ.Field, typ.Value)
	case errors.As(err, &typ):
		return fmt.Sprintf("the body must be a JSON object, not a JSON %s", typ.Value)
	}
	return "the body is not a JSON client metadata object"
}
