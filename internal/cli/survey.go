package cli

import (
	"errors"
	"io"
	"os"

	"github.com/AlecAivazis/survey/v2"
	"github.com/AlecAivazis/survey/v2/terminal"
)

// surveyPrompter is the Prompter on a real terminal, built on
// github.com/AlecAivazis/survey/v2. It is the only file that imports survey.
type surveyPrompter struct {
	stdio survey.AskOpt
}

// newSurveyPrompter prompts on stdin, which the caller has checked is a
// terminal. Prompts are drawn on stdout when it is a terminal (the usual
// case), else on stderr, so that redirected output stays clean.
func newSurveyPrompter(stdin io.Reader, stdout, stderr io.Writer) Prompter {
	in := stdin.(*os.File)
	out := in
	for _, w := range []io.Writer{stdout, stderr} {
		if f, ok := w.(*os.File); ok && isTerminal(f) {
			out = f
			break
		}
	}
	return &surveyPrompter{stdio: survey.WithStdio(in, out, stderr)}
}

func (p *surveyPrompter) Input(q Question) (string, error) {
	var ans string
	err := survey.AskOne(&survey.Input{Message: q.Message, Default: q.Default, Help: q.Help}, &ans, p.stdio, validator(q.Validate))
	return ans, interrupted(err)
}

func (p *surveyPrompter) Select(q Question, choices []Choice) (string, error) {
	opts := make([]string, len(choices))
	for i, c := range choices {
		opts[i] = c.Value
	}
	prompt := &survey.Select{
		Message:     q.Message,
		Options:     opts,
		Help:        q.Help,
		Description: func(_ string, i int) string { return choices[i].Description },
	}
	if q.Default != "" {
		prompt.Default = q.Default
	}
	var ans string
	err := survey.AskOne(prompt, &ans, p.stdio)
	return ans, interrupted(err)
}

func (p *surveyPrompter) Confirm(q Question) (bool, error) {
	var ans bool
	err := survey.AskOne(&survey.Confirm{Message: q.Message, Default: q.Default == "y", Help: q.Help}, &ans, p.stdio)
	return ans, interrupted(err)
}

func validator(f func(string) error) survey.AskOpt {
	return survey.WithValidator(func(ans any) error {
		if f == nil {
			return nil
		}
		s, _ := ans.(string)
		return f(s)
	})
}

// errInterrupted is returned when the user presses Ctrl-C at a prompt.
var errInterrupted = errors.New("interrupted: nothing was written")

func interrupted(err error) error {
	if errors.Is(err, terminal.InterruptErr) {
		return errInterrupted
	}
	return err
}
