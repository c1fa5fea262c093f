package cli

// Prompter asks the user questions. The interview depends only on this
// interface, so replacing the terminal library (survey is archived) means
// rewriting one file: survey.go.
type Prompter interface {
	// Input asks for a line of text. An empty answer means q.Default.
	Input(q Question) (string, error)
	// Select asks for one of choices and returns its Value.
	Select(q Question, choices []Choice) (string, error)
	// Confirm asks a yes/no question; q.Default is "y" or "n".
	Confirm(q Question) (bool, error)
}

// Question is one prompt.
type Question struct {
	Message  string
	Default  string
	Help     string             // where the value comes from; shown on '?'
	Validate func(string) error // nil: anything goes
}

// Choice is one option of a Select.
type Choice struct {
	Value       string
	Description string
}
