// The only process that runs a student's code during grading. It links the graded module
// (`Workbook`) and nothing of the tests: it reads calls on descriptor 3, runs the student's
// function, and writes what it returned or threw on descriptor 4. The graded tests, in another
// process, decide what that means. Under root it is started as an unprivileged user.
// (Batch grading loads the same table as a library into `grade-zygote` instead; see RunnerCalls.)
import GradingChannel
import RunnerCalls

serve(exerciseTable)
