package main

import (
	"os"
	"testing"
)

func TestSilenceUncollectedLogs(t *testing.T) {
	silenced := []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_PROVIDER_CAMPAIGNS"}
	tests := []struct {
		name     string
		env      map[string]string
		silenced bool // every level set to OFF; else left as the environment had it
	}{
		{"no logging asked for", nil, true},
		{"core logs only", map[string]string{"TF_LOG_CORE": "TRACE"}, true},
		{"a log path without a level", map[string]string{"TF_LOG_PATH": "/tmp/tf.log"}, true},
		{"TF_LOG keeps provider logs", map[string]string{"TF_LOG": "DEBUG"}, false},
		{"TF_LOG=JSON keeps provider logs", map[string]string{"TF_LOG": "JSON"}, false},
		{"TF_LOG_PROVIDER keeps provider logs", map[string]string{"TF_LOG_PROVIDER": "INFO"}, false},
		{"the provider's own level is kept", map[string]string{"TF_LOG_PROVIDER_CAMPAIGNS": "DEBUG"}, false},
		{"the SDK's own level is kept", map[string]string{"TF_LOG_SDK": "WARN"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, name := range append([]string{"TF_LOG", "TF_LOG_CORE", "TF_LOG_PATH", "TF_LOG_PROVIDER"}, silenced...) {
				t.Setenv(name, "")
				_ = os.Unsetenv(name)
			}
			for name, value := range tt.env {
				t.Setenv(name, value)
			}
			silenceUncollectedLogs()
			for _, name := range silenced {
				want := tt.env[name]
				if tt.silenced {
					want = "OFF"
				}
				if got := os.Getenv(name); got != want {
					t.Errorf("%s = %q, want %q", name, got, want)
				}
			}
		})
	}
}
