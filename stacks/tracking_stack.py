"""The tracking stack (stateful): the environment's MLflow server, when the environment provisions one
(``tracking_backend="mlflow"`` with ``MlflowSettings(provision=...)``, docs/infrastructure.md, "MLflow").

Apart from the stateless stacks because it holds data (the runs, the artifact store): termination
protection and RETAIN follow ``retain_data``, and its logical IDs are pinned
(tests/infrastructure/test_tracking_stack.py). The other stacks get the server's ARN from ``server.arn``
as weak cross-stack references (``Fn::GetStackOutput``, no export), like the lake's bucket.
"""

from __future__ import annotations

from aws_cdk import CfnOutput, Stack
from constructs import Construct

from mlmeta.config import EnvironmentSettings
from stacks.common.removal import removal_policy
from stacks.tracking.mlflow_server import MlflowServer

TRACKING_URI_OUTPUT = "MlflowTrackingUri"


class TrackingStack(Stack):
    server: MlflowServer

    def __init__(self, scope: Construct, construct_id: str, *, settings: EnvironmentSettings, **kwargs) -> None:
        if not settings.provisions_mlflow or settings.mlflow is None:
            raise ValueError(f"environment {settings.name} provisions no MLflow server: it has no tracking stack")
        super().__init__(
            scope,
            construct_id,
            description=f"mlmeta {settings.name}: MLflow server ({settings.mlflow.provision}) and its artifact store. Stateful.",
            termination_protection=settings.retain_data,
            **kwargs,
        )
        self.server = MlflowServer(
            self,
            "Mlflow",
            name=settings.mlflow_server_name,
            settings=settings.mlflow,
            key_alias=f"alias/{settings.stack_name('tracking')}",
            retention=settings.retention,
            removal_policy=removal_policy(settings),
        )
        CfnOutput(self, TRACKING_URI_OUTPUT, value=self.server.arn,
                  description="MLMETA_MLFLOW_TRACKING_URI: the ARN of the environment's MLflow server")
        CfnOutput(self, "MlflowArtifactsBucketName", value=self.server.bucket.bucket_name, description="MLflow's artifact store")
