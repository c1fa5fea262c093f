// Package tools holds the MCP tools this server offers (this file) and the
// scopes each one needs (scopes.go).
//
// A handler runs only after the caller's access token was verified and found
// to hold every scope ToolScopes lists for its tool; auth.FromContext(ctx)
// says who is calling (Subject is the token's "sub").
package tools

import (
	"context"
	"fmt"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"example.com/todo/internal/auth"
)

// Register adds every tool to s. A tool added here needs an entry in
// ToolScopes too, or calls to it are refused.
func Register(s *server.MCPServer) {
	s.AddTool(mcp.NewTool("create_todo",
		mcp.WithDescription("Create a new todo item."),
		mcp.WithInputSchema[CreateTodoInput](),
	), mcp.NewTypedToolHandler(handleCreateTodo))
	s.AddTool(mcp.NewTool("list_todos",
		mcp.WithDescription("Retrieve all todos, optionally filtered by completion status."),
		mcp.WithInputSchema[ListTodosInput](),
	), mcp.NewTypedToolHandler(handleListTodos))
	s.AddTool(mcp.NewTool("get_todo",
		mcp.WithDescription("Retrieve a specific todo by ID."),
		mcp.WithInputSchema[GetTodoInput](),
	), mcp.NewTypedToolHandler(handleGetTodo))
	s.AddTool(mcp.NewTool("update_todo",
		mcp.WithDescription("Update todo properties or mark as complete/incomplete."),
		mcp.WithInputSchema[UpdateTodoInput](),
	), mcp.NewTypedToolHandler(handleUpdateTodo))
	s.AddTool(mcp.NewTool("delete_todo",
		mcp.WithDescription("Remove a todo item from the system."),
		mcp.WithInputSchema[DeleteTodoInput](),
	), mcp.NewTypedToolHandler(handleDeleteTodo))
}

// CreateTodoInput is the input of create_todo.
//
// TODO: add the fields create_todo takes. Each exported field becomes a
// property of the tool's input schema, e.g.
//
//	ID string `json:"id" jsonschema:"the item to act on"`
type CreateTodoInput struct{}

// handleCreateTodo runs create_todo.
func handleCreateTodo(ctx context.Context, req mcp.CallToolRequest, in CreateTodoInput) (*mcp.CallToolResult, error) {
	// TODO: replace this stub with the real work of create_todo.
	return mcp.NewToolResultText(fmt.Sprintf("create_todo called by %s", subject(ctx))), nil
}

// ListTodosInput is the input of list_todos.
//
// TODO: add the fields list_todos takes. Each exported field becomes a
// property of the tool's input schema, e.g.
//
//	ID string `json:"id" jsonschema:"the item to act on"`
type ListTodosInput struct{}

// handleListTodos runs list_todos.
func handleListTodos(ctx context.Context, req mcp.CallToolRequest, in ListTodosInput) (*mcp.CallToolResult, error) {
	// TODO: replace this stub with the real work of list_todos.
	return mcp.NewToolResultText(fmt.Sprintf("list_todos called by %s", subject(ctx))), nil
}

// GetTodoInput is the input of get_todo.
//
// TODO: add the fields get_todo takes. Each exported field becomes a
// property of the tool's input schema, e.g.
//
//	ID string `json:"id" jsonschema:"the item to act on"`
type GetTodoInput struct{}

// handleGetTodo runs get_todo.
func handleGetTodo(ctx context.Context, req mcp.CallToolRequest, in GetTodoInput) (*mcp.CallToolResult, error) {
	// TODO: replace this stub with the real work of get_todo.
	return mcp.NewToolResultText(fmt.Sprintf("get_todo called by %s", subject(ctx))), nil
}

// UpdateTodoInput is the input of update_todo.
//
// TODO: add the fields update_todo takes. Each exported field becomes a
// property of the tool's input schema, e.g.
//
//	ID string `json:"id" jsonschema:"the item to act on"`
type UpdateTodoInput struct{}

// handleUpdateTodo runs update_todo.
func handleUpdateTodo(ctx context.Context, req mcp.CallToolRequest, in UpdateTodoInput) (*mcp.CallToolResult, error) {
	// TODO: replace this stub with the real work of update_todo.
	return mcp.NewToolResultText(fmt.Sprintf("update_todo called by %s", subject(ctx))), nil
}

// DeleteTodoInput is the input of delete_todo.
//
// TODO: add the fields delete_todo takes. Each exported field becomes a
// property of the tool's input schema, e.g.
//
//	ID string `json:"id" jsonschema:"the item to act on"`
type DeleteTodoInput struct{}

// handleDeleteTodo runs delete_todo.
func handleDeleteTodo(ctx context.Context, req mcp.CallToolRequest, in DeleteTodoInput) (*mcp.CallToolResult, error) {
	// TODO: replace this stub with the real work of delete_todo.
	return mcp.NewToolResultText(fmt.Sprintf("delete_todo called by %s", subject(ctx))), nil
}

// subject returns the "sub" of the caller's token.
func subject(ctx context.Context) string {
	if tok := auth.FromContext(ctx); tok != nil {
		return tok.Subject
	}
	return "an unauthenticated caller"
}
