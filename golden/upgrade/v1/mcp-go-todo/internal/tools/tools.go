// Package tools holds the MCP tools this server offers (this file) and the
// scopes each one needs (scopes.go).
//
// A handler runs only after the caller's access token was verified and found
// to hold every scope ToolScopes lists for its tool; auth.FromContext(ctx)
// says who is calling (Subject is the token's "sub").
package tools

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

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

// Todo is one item of a user's list.
type Todo struct {
	ID    int    `json:"id"`
	Title string `json:"title"`
	Done  bool   `json:"done"`
}

// store keeps every user's todos in memory, by the token's subject.
var store = struct {
	sync.Mutex
	next  int
	items map[string]map[int]*Todo
}{items: map[string]map[int]*Todo{}}

// CreateTodoInput is the input of create_todo.
type CreateTodoInput struct {
	Title string `json:"title" jsonschema:"what is to be done"`
}

func handleCreateTodo(ctx context.Context, req mcp.CallToolRequest, in CreateTodoInput) (*mcp.CallToolResult, error) {
	if strings.TrimSpace(in.Title) == "" {
		return mcp.NewToolResultError("a todo needs a title"), nil
	}
	store.Lock()
	defer store.Unlock()
	store.next++
	todo := &Todo{ID: store.next, Title: in.Title}
	mine := store.items[subject(ctx)]
	if mine == nil {
		mine = map[int]*Todo{}
		store.items[subject(ctx)] = mine
	}
	mine[todo.ID] = todo
	return mcp.NewToolResultText(fmt.Sprintf("created #%d %s", todo.ID, todo.Title)), nil
}

// ListTodosInput is the input of list_todos.
type ListTodosInput struct {
	Done *bool `json:"done,omitempty" jsonschema:"only todos that are done (true) or not (false)"`
}

func handleListTodos(ctx context.Context, req mcp.CallToolRequest, in ListTodosInput) (*mcp.CallToolResult, error) {
	store.Lock()
	defer store.Unlock()
	var lines []string
	for _, t := range store.items[subject(ctx)] {
		if in.Done == nil || *in.Done == t.Done {
			lines = append(lines, fmt.Sprintf("#%d [%v] %s", t.ID, t.Done, t.Title))
		}
	}
	sort.Strings(lines)
	return mcp.NewToolResultText(strings.Join(lines, "\n")), nil
}

// GetTodoInput is the input of get_todo.
type GetTodoInput struct {
	ID int `json:"id" jsonschema:"the todo's number"`
}

func handleGetTodo(ctx context.Context, req mcp.CallToolRequest, in GetTodoInput) (*mcp.CallToolResult, error) {
	t, err := find(ctx, in.ID)
	if err != nil {
		return mcp.NewToolResultError(err.Error()), nil
	}
	return mcp.NewToolResultText(fmt.Sprintf("#%d [%v] %s", t.ID, t.Done, t.Title)), nil
}

// UpdateTodoInput is the input of update_todo.
type UpdateTodoInput struct {
	ID    int     `json:"id" jsonschema:"the todo's number"`
	Title *string `json:"title,omitempty" jsonschema:"a new title"`
	Done  *bool   `json:"done,omitempty" jsonschema:"mark it done or not"`
}

func handleUpdateTodo(ctx context.Context, req mcp.CallToolRequest, in UpdateTodoInput) (*mcp.CallToolResult, error) {
	t, err := find(ctx, in.ID)
	if err != nil {
		return mcp.NewToolResultError(err.Error()), nil
	}
	store.Lock()
	defer store.Unlock()
	if in.Title != nil {
		t.Title = *in.Title
	}
	if in.Done != nil {
		t.Done = *in.Done
	}
	return mcp.NewToolResultText(fmt.Sprintf("updated #%d", t.ID)), nil
}

// DeleteTodoInput is the input of delete_todo.
type DeleteTodoInput struct {
	ID int `json:"id" jsonschema:"the todo's number"`
}

func handleDeleteTodo(ctx context.Context, req mcp.CallToolRequest, in DeleteTodoInput) (*mcp.CallToolResult, error) {
	if _, err := find(ctx, in.ID); err != nil {
		return mcp.NewToolResultError(err.Error()), nil
	}
	store.Lock()
	defer store.Unlock()
	delete(store.items[subject(ctx)], in.ID)
	return mcp.NewToolResultText(fmt.Sprintf("deleted #%d", in.ID)), nil
}

// find returns the caller's todo id.
func find(ctx context.Context, id int) (*Todo, error) {
	store.Lock()
	defer store.Unlock()
	t, ok := store.items[subject(ctx)][id]
	if !ok {
		return nil, errors.New("no such todo")
	}
	return t, nil
}

// subject returns the "sub" of the caller's token.
func subject(ctx context.Context) string {
	if tok := auth.FromContext(ctx); tok != nil {
		return tok.Subject
	}
	return ""
}
