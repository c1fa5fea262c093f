// Package tools holds the MCP tools this server offers (this file) and the
// scopes each one needs (scopes.go).
//
// A handler runs only after the caller's access token was verified and found
// to hold every scope ToolScopes lists for its tool; req.Extra.TokenInfo
// says who is calling (UserID is the token's "sub").
package tools

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

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

func handleCreateTodo(ctx context.Context, req *mcp.CallToolRequest, in CreateTodoInput) (*mcp.CallToolResult, any, error) {
	if strings.TrimSpace(in.Title) == "" {
		return nil, nil, errors.New("a todo needs a title")
	}
	store.Lock()
	defer store.Unlock()
	store.next++
	todo := &Todo{ID: store.next, Title: in.Title}
	mine := store.items[subject(req)]
	if mine == nil {
		mine = map[int]*Todo{}
		store.items[subject(req)] = mine
	}
	mine[todo.ID] = todo
	return text(fmt.Sprintf("created #%d %s", todo.ID, todo.Title)), *todo, nil
}

// ListTodosInput is the input of list_todos.
type ListTodosInput struct {
	Done *bool `json:"done,omitempty" jsonschema:"only todos that are done (true) or not (false)"`
}

func handleListTodos(ctx context.Context, req *mcp.CallToolRequest, in ListTodosInput) (*mcp.CallToolResult, any, error) {
	store.Lock()
	defer store.Unlock()
	var lines []string
	for _, t := range store.items[subject(req)] {
		if in.Done == nil || *in.Done == t.Done {
			lines = append(lines, fmt.Sprintf("#%d [%v] %s", t.ID, t.Done, t.Title))
		}
	}
	sort.Strings(lines)
	return text(strings.Join(lines, "\n")), nil, nil
}

// GetTodoInput is the input of get_todo.
type GetTodoInput struct {
	ID int `json:"id" jsonschema:"the todo's number"`
}

func handleGetTodo(ctx context.Context, req *mcp.CallToolRequest, in GetTodoInput) (*mcp.CallToolResult, any, error) {
	t, err := find(req, in.ID)
	if err != nil {
		return nil, nil, err
	}
	return text(fmt.Sprintf("#%d [%v] %s", t.ID, t.Done, t.Title)), *t, nil
}

// UpdateTodoInput is the input of update_todo.
type UpdateTodoInput struct {
	ID    int     `json:"id" jsonschema:"the todo's number"`
	Title *string `json:"title,omitempty" jsonschema:"a new title"`
	Done  *bool   `json:"done,omitempty" jsonschema:"mark it done or not"`
}

func handleUpdateTodo(ctx context.Context, req *mcp.CallToolRequest, in UpdateTodoInput) (*mcp.CallToolResult, any, error) {
	t, err := find(req, in.ID)
	if err != nil {
		return nil, nil, err
	}
	store.Lock()
	defer store.Unlock()
	if in.Title != nil {
		t.Title = *in.Title
	}
	if in.Done != nil {
		t.Done = *in.Done
	}
	return text(fmt.Sprintf("updated #%d", t.ID)), *t, nil
}

// DeleteTodoInput is the input of delete_todo.
type DeleteTodoInput struct {
	ID int `json:"id" jsonschema:"the todo's number"`
}

func handleDeleteTodo(ctx context.Context, req *mcp.CallToolRequest, in DeleteTodoInput) (*mcp.CallToolResult, any, error) {
	if _, err := find(req, in.ID); err != nil {
		return nil, nil, err
	}
	store.Lock()
	defer store.Unlock()
	delete(store.items[subject(req)], in.ID)
	return text(fmt.Sprintf("deleted #%d", in.ID)), nil, nil
}

// find returns the caller's todo id.
func find(req *mcp.CallToolRequest, id int) (*Todo, error) {
	store.Lock()
	defer store.Unlock()
	t, ok := store.items[subject(req)][id]
	if !ok {
		return nil, fmt.Errorf("you have no todo #%d", id)
	}
	return t, nil
}

// subject returns the "sub" of the caller's token.
func subject(req *mcp.CallToolRequest) string {
	if req.Extra == nil || req.Extra.TokenInfo == nil {
		return ""
	}
	return req.Extra.TokenInfo.UserID
}

// text is a tool result holding one block of text.
func text(s string) *mcp.CallToolResult {
	return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: s}}}
}
