Attribute VB_Name = "PerfEval"
' perfeval_xl: the buttons of the macro-enabled self-evaluation templates.
' PerfEvalRecalculate scores the open workbook and marks its errors; PerfEvalClearMarks removes those marks;
' PerfEvalCompareLastYear (forms that give figures for last year) asks for last year's form, then does what
' PerfEvalRecalculate does and marks each figure for last year that differs from it; PerfEvalCompareInstitutions
' asks for the forms of the department's institutions, then does the same and marks each figure not their sum;
' PerfEvalWriteReport writes the self-evaluation report (.docx) of the open workbook beside its file.
' All call Python through the xlwings add-in, so the workbook needs no reference to it.
' This module is ASCII only: Chinese text is written as \uXXXX escapes and decoded by U() with ChrW.
Option Explicit

Private Const ADDIN_NAME As String = "xlwings.xlam"

Public Sub PerfEvalRecalculate()
    If Not AddinLoaded() Then Exit Sub
    On Error GoTo Failed
    Application.Run "xlwings.xlam!RunPython", "import perfeval_xl.excel as e; e.recalculate()"
    Exit Sub
Failed:
    ReportFailure
End Sub

Public Sub PerfEvalClearMarks()
    If Not AddinLoaded() Then Exit Sub
    On Error GoTo Failed
    Application.Run "xlwings.xlam!RunPython", "import perfeval_xl.excel as e; e.clear_marks()"
    Exit Sub
Failed:
    ReportFailure
End Sub

Public Sub PerfEvalCompareLastYear()
    If Not AddinLoaded() Then Exit Sub
    On Error GoTo Failed
    Application.Run "xlwings.xlam!RunPython", "import perfeval_xl.excel as e; e.compare_with_last_year()"
    Exit Sub
Failed:
    ReportFailure
End Sub

Public Sub PerfEvalCompareInstitutions()
    If Not AddinLoaded() Then Exit Sub
    On Error GoTo Failed
    Application.Run "xlwings.xlam!RunPython", "import perfeval_xl.excel as e; e.compare_with_institutions()"
    Exit Sub
Failed:
    ReportFailure
End Sub

Public Sub PerfEvalWriteReport()
    If Not AddinLoaded() Then Exit Sub
    On Error GoTo Failed
    Application.Run "xlwings.xlam!RunPython", "import perfeval_xl.excel as e; e.write_report()"
    Exit Sub
Failed:
    ReportFailure
End Sub

Private Function AddinLoaded() As Boolean
    ' The add-in is open as a hidden workbook once "xlwings addin install" has put it in XLSTART.
    Dim addin As Object
    On Error Resume Next
    Set addin = Application.Workbooks(ADDIN_NAME)
    On Error GoTo 0
    AddinLoaded = Not addin Is Nothing
    If Not AddinLoaded Then MsgBox MissingAddinMessage(), vbExclamation, MessageTitle()
End Function

Private Function MissingAddinMessage() As String
    ' "xlwings add-in not found; the button cannot run. Install it once per computer: 1. Python 3.11 or newer;
    ' 2. in the Command Prompt run the two commands below; 3. close and reopen Excel, then press the button."
    MissingAddinMessage = U("\u672a\u627e\u5230 xlwings \u52a0\u8f7d\u9879\uff0c\u6309\u94ae\u65e0\u6cd5\u8fd0\u884c\u3002") _
        & vbLf & vbLf _
        & U("\u8bf7\u6309\u4ee5\u4e0b\u6b65\u9aa4\u5b89\u88c5\uff08\u6bcf\u53f0\u7535\u8111\u53ea\u9700\u4e00\u6b21\uff09\uff1a") & vbLf _
        & U("1. \u5b89\u88c5 Python 3.11 \u6216\u66f4\u9ad8\u7248\u672c\uff1b") & vbLf _
        & U("2. \u5728\u201c\u547d\u4ee4\u63d0\u793a\u7b26\u201d\u4e2d\u4f9d\u6b21\u8fd0\u884c\uff1a") & vbLf _
        & "      pip install perfeval_xl" & vbLf _
        & "      xlwings addin install" & vbLf _
        & U("3. \u5173\u95ed\u5e76\u91cd\u65b0\u6253\u5f00 Excel\uff0c\u518d\u70b9\u51fb\u6309\u94ae\u3002")
End Function

Private Sub ReportFailure()
    ' "Error while running perfeval:" followed by what Excel reported.
    MsgBox U("\u8fd0\u884c perfeval \u65f6\u51fa\u9519\uff1a") & vbLf & Err.Description, vbCritical, MessageTitle()
End Sub

Private Function MessageTitle() As String
    ' "perfeval self-evaluation"
    MessageTitle = U("perfeval \u7ee9\u6548\u81ea\u8bc4")
End Function

Private Function U(ByVal text As String) As String
    ' Decodes the \uXXXX escapes of text with ChrW; every other character is kept as it is.
    Dim i As Long
    i = 1
    Do While i <= Len(text)
        If Mid$(text, i, 2) = "\u" Then
            U = U & ChrW(CLng("&H" & Mid$(text, i + 2, 4) & "&"))
            i = i + 6
        Else
            U = U & Mid$(text, i, 1)
            i = i + 1
        End If
    Loop
End Function
