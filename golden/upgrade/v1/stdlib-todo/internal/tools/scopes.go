package tools

import "example.com/todo/internal/auth"

// Scopes are the OAuth scopes this server understands. They are published
// as scopes_supported in the protected resource metadata and named in 401
// challenges; define the same scopes in your authorization server.
//
// Implies lists narrower scopes that a token holding the scope holds as
// well, e.g. {Name: "todo:admin", Implies: []string{"todo:write", "todo:read"}}.
var Scopes = []auth.Scope{
	{Name: "todo:read", Description: "Read access to todo items"},
	{Name: "todo:write", Description: "Create, update, or delete todo items"},
}

// ToolScopes says which scopes a token needs, all of them, to call each
// tool. A tool that is registered (tools.go) but missing here cannot be
// called at all; a tool mapped to no scopes can be called with any valid
// token. A token scope "prefix:*" grants every scope starting with "prefix:".
//
// Edit this table when you add a tool or change what one needs; the server
// checks it against Scopes at start-up.
var ToolScopes = auth.ToolScopes{
	"create_todo": {"todo:write"},
	"list_todos":  {"todo:read"},
	"get_todo":    {"todo:read"},
	"update_todo": {"todo:write"},
	"delete_todo": {"todo:write"},
}
