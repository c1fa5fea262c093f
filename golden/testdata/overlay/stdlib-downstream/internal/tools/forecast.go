package tools

// This file is the user's: what a team writes in place of the generated
// stub, calling the weather API through the client create-mcp-auth made
// for it. The golden probes check that the API gets the key.

import (
	"context"
	"errors"
	"net/url"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"example.com/downstream/internal/downstream"
)

// ForecastInput is the input of forecast.
type ForecastInput struct {
	City string `json:"city" jsonschema:"the city to forecast"`
}

// ForecastOutput is what forecast returns as structured content.
type ForecastOutput struct {
	Summary string `json:"summary"`
}

func handleForecast(ctx context.Context, req *mcp.CallToolRequest, in ForecastInput) (*mcp.CallToolResult, ForecastOutput, error) {
	if in.City == "" {
		return nil, ForecastOutput{}, errors.New("city is required")
	}
	var out ForecastOutput
	if err := downstream.Get().Weather.GetJSON(ctx, "forecast?city="+url.QueryEscape(in.City), &out); err != nil {
		return nil, ForecastOutput{}, err
	}
	return nil, out, nil
}
