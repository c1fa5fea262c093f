// Package tools holds the MCP tools this server offers (this file) and the
// scopes each one needs (scopes.go).
//
// A handler runs only after the caller's access token was verified and found
// to hold every scope ToolScopes lists for its tool; req.Extra.TokenInfo
// says who is calling (UserID is the token's "sub").
package tools

import (
	"context"
	"fmt"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Register adds every tool to s. A tool added here needs an entry in
// ToolScopes too, or calls to it are refused.
func Register(s *mcp.Server) {
	mcp.AddTool(s, &mcp.Tool{Name: "create_todo", Description: "Create a new todo item."}, handleCreateTodo)
	mcp.AddTool(s, &mcp.Tool{Name: "list_todos", Description: "Retrieve all todos, optionally filtered by completion status."}, handleListTodos)
	mcp.AddTool(s, &mcp.Tool{Name: "get_todo", Description: "Retrieve a specific todo by ID."}, handleGetTodo)
	mcp.AddTool(s, &mcp.Tool{Name: "update_todo", Description: "Update todo properties or mark as complete/incomplete."}, handleUpdateTodo)
	mcp.AddTool(s, &mcp.Tool{Name: "delete_todo", Description: "Remove a todo item from the system."}, handleDeleteTodo)
}

// CreateTodoInput is the input of create_todo.
//
// TODO: add the fields create_todo takes. Each exported field becomes a
// property of the tool's input schema, e.g.
//
//	ID string `json:"id" jsonschema:"the item to act on"`
type CreateTodoInput struct{}

// handleCreateTodo runs create_todo.
func handleCreateTodo(ctx context.Context, req *mcp.CallToolRequest, in CreateTodoInput) (*mcp.CallToolResult, any, error) {
	// TODO: replace this stub with the real work of create_todo.
	return text(fmt.Sprintf("create_todo called by %s", subject(req))), nil, nil
}

// ListTodosInput is the input of list_todos.
//
// TODO: add the fields list_todos takes. Each exported field becomes a
// property of the tool's input schema, e.g.
//
//	ID string `json:"id" jsonschema:"the item to act on"`
type ListTodosInput struct{}

// handleListTodos runs list_todos.
func handleListTodos(ctx context.Context, req *mcp.CallToolRequest, in ListTodosInput) (*mcp.CallToolResult, any, error) {
	// TODO: replace this stub with the real work of list_todos.
	return text(fmt.Sprintf("list_todos called by %s", subject(req))), nil, nil
}

// GetTodoInput is the input of get_todo.
//
// TODO: add the fields get_todo takes. Each exported field becomes a
// property of the tool's input schema, e.g.
//
//	ID string `json:"id" jsonschema:"the item to act on"`
type GetTodoInput struct{}

// handleGetTodo runs get_todo.
func handleGetTodo(ctx context.Context, req *mcp.CallToolRequest, in GetTodoInput) (*mcp.CallToolResult, any, error) {
	// TODO: replace this stub with the real work of get_todo.
	return text(fmt.Sprintf("get_todo called by %s", subject(req))), nil, nil
}

// UpdateTodoInput is the input of update_todo.
//
// TODO: add the fields update_todo takes. Each exported field becomes a
// property of the tool's input schema, e.g.
//
//	ID string `json:"id" jsonschema:"the item to act on"`
type UpdateTodoInput struct{}

// handleUpdateTodo runs update_todo.
func handleUpdateTodo(ctx context.Context, req *mcp.CallToolRequest, in UpdateTodoInput) (*mcp.CallToolResult, any, error) {
	// TODO: replace this stub with the real work of update_todo.
	return text(fmt.Sprintf("update_todo called by %s", subject(req))), nil, nil
}

// DeleteTodoInput is the input of delete_todo.
//
// TODO: add the fields delete_todo takes. Each exported field becomes a
// property of the tool's input schema, e.g.
//
//	ID string `json:"id" jsonschema:"the item to act on"`
type DeleteTodoInput struct{}

// handleDeleteTodo runs delete_todo.
func handleDeleteTodo(ctx context.Context, req *mcp.CallToolRequest, in DeleteTodoInput) (*mcp.CallToolResult, any, error) {
	// TODO: replace this stub with the real work of delete_todo.
	return text(fmt.Sprintf("delete_todo called by %s", subject(req))), nil, nil
}

// subject returns the "sub" of the caller's token.
func subject(req *mcp.CallToolRequest) string {
	if req.Extra == nil || req.Extra.TokenInfo == nil {
		return "an unauthenticated caller"
	}
	return req.Extra.TokenInfo.UserID
}

// text is a tool result holding one block of text.
func text(s string) *mcp.CallToolResult {
	return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: s}}}
}
