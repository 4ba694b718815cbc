package bench

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/emptypb"
)

// GetProviderSchema's request is an empty message, so the well-known Empty
// encodes it; the answer is read as unknown fields of Empty, which is
// enough to know its size.
const methodGetProviderSchema = "/tfplugin6.Provider/GetProviderSchema"

// StartTiming is one start of the provider binary.
type StartTiming struct {
	Handshake   time.Duration // until go-plugin had read the handshake line
	Schema      time.Duration // until the GetProviderSchema answer arrived
	SchemaBytes int           // size of that answer
}

// StartToSchema starts binary with go-plugin's client, configured as
// Terraform and OpenTofu configure it (protocol 6, automatic mutual TLS,
// Unix socket), asks for its schema, and stops it. The clock runs from the
// client's Start, which makes the client certificate (as a CLI does for
// each provider it starts) and execs the binary, to the schema answer.
func StartToSchema(ctx context.Context, binary string) (StartTiming, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	client := plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig: plugin.HandshakeConfig{
			MagicCookieKey:   "TF_PLUGIN_MAGIC_COOKIE",
			MagicCookieValue: "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2",
		},
		// No plugin to dispense: the schema call goes straight to the
		// connection.
		VersionedPlugins: map[int]plugin.PluginSet{6: {}},
		Cmd:              exec.CommandContext(ctx, binary),
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		AutoMTLS:         true,
		Logger:           hclog.NewNullLogger(),
	})
	defer client.Kill() // a clean stop (GRPCController.Shutdown), as the CLI asks for it

	started := time.Now()
	if _, err := client.Start(); err != nil {
		return StartTiming{}, fmt.Errorf("starting %s: %w", binary, err)
	}
	result := StartTiming{Handshake: time.Since(started)}
	rpc, err := client.Client()
	if err != nil {
		return result, err
	}
	grpcClient, ok := rpc.(*plugin.GRPCClient)
	if !ok {
		return result, fmt.Errorf("%s does not serve gRPC", binary)
	}
	schema := &emptypb.Empty{}
	if err := grpcClient.Conn.Invoke(ctx, methodGetProviderSchema, &emptypb.Empty{}, schema); err != nil {
		return result, fmt.Errorf("GetProviderSchema: %w", err)
	}
	result.Schema = time.Since(started)
	result.SchemaBytes = proto.Size(schema)
	if result.SchemaBytes == 0 {
		return result, errors.New("GetProviderSchema answered an empty message")
	}
	return result, nil
}
